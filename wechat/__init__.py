"""WeChat-facing features: login and phone binding, mini-program codes, subscribe messages and
WeChat's message push. Roles and sessions are ours (accounts/); WeChat only proves who someone is."""

from flask import Flask


def init_wechat(app: Flask) -> None:
    """The app's WeChat client (its token storage is shared through Redis when configured) and
    its subscribe-message queue."""
    from app.observability import add_live_metrics
    from wechat.client import client_from_config
    from wechat.messages import InProcessQueue, RedisQueue, messages_by_status

    redis_client = app.extensions["redis"]
    app.extensions["wechat_client"] = client_from_config(app.config, redis_client)
    # Tests drain the in-process queue themselves, in their own thread and transaction.
    app.extensions["wechat_messages"] = (RedisQueue(redis_client) if redis_client is not None
                                         else InProcessQueue(app, start_thread=not app.testing))
    app.extensions["wechat_codes"] = {}
    add_live_metrics(app, messages_by_status)
