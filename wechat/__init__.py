"""WeChat-facing features: login and phone binding, mini-program codes, subscribe messages and
WeChat's message push. Roles and sessions are ours (accounts/); WeChat only proves who someone is."""

from flask import Flask


def init_app(app: Flask, api) -> None:
    """The app's WeChat client (its token storage is shared through Redis when configured), its
    subscribe-message queue, its routes and commands."""
    from app.observability import add_live_metrics
    from credit.cli import credit_cli
    from wechat.cli import expiry_reminders_command, wechat_cli
    from wechat.client import client_from_config
    from wechat.codes import LocalCodeCache
    from wechat.messages import InProcessQueue, RedisQueue, messages_by_status
    from wechat.routes import blp

    redis_client = app.extensions["redis"]
    app.extensions["wechat_client"] = client_from_config(app.config, redis_client)
    # Tests drain the in-process queue themselves, in their own thread and transaction.
    app.extensions["wechat_messages"] = (
        RedisQueue(redis_client) if redis_client is not None else InProcessQueue(app, start_thread=not app.testing)
    )
    app.extensions["wechat_codes"] = LocalCodeCache(app.config["WECHAT_CODE_CACHE_SECONDS"])
    add_live_metrics(app, messages_by_status)
    api.register_blueprint(blp)
    app.cli.add_command(wechat_cli)
    credit_cli.add_command(expiry_reminders_command)
