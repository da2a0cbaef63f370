"""The page a phone's camera opens from a 安心碼 (/q/<token>): the public profile as plain HTML in
Chinese, no script needed. The JSON answer is credit.routes' GET /api/v1/scan/{token}."""

from datetime import datetime

from flask import Blueprint, current_app, render_template, request

from app.clock import in_beijing
from credit import scanning

pages = Blueprint("scan_pages", __name__, template_folder="templates")

# The scan page loads no script at all; images may come from this server or any https host.
PAGE_SECURITY_POLICY = "default-src 'none'; img-src 'self' https: data:; style-src 'unsafe-inline'"


@pages.app_template_filter("beijing_time")
def beijing_time(moment: datetime) -> str:
    """Residents read times in Beijing time, not UTC."""
    return in_beijing(moment).strftime("%Y-%m-%d %H:%M")


@pages.get("/q/<string:token>")
def scan_page(token):
    """What a phone's camera opens: the profile as plain HTML in Chinese, no script needed."""
    outcome = scanning.serve(token, "page", request.user_agent.string, render=_scan_html)
    if outcome.retry_after:
        return _refused(
            429,
            {"Retry-After": str(outcome.retry_after)},
            title="扫码过于频繁",
            banner="busy",
            advice=[
                "这台设备扫码次数过多，本次未能查询。这并不表示证件有问题。",
                f"请 {outcome.retry_after} 秒后重新扫码；查询到结果之前请先不要开门。",
            ],
        )
    if outcome.answer is None:
        return _refused(
            404,
            {},
            title="不是有效的安心码",
            banner="red",
            advice=[
                "这个二维码不是有效的安心码：可能是伪造的，或证件已换发、已撤回公开。",
                "请勿开门，请联系服务站核实来人身份。",
            ],
        )
    return _page_response(outcome.answer, 200, {})


def _scan_html(profile: dict) -> str:
    return render_template("credit/scan.html", profile=profile)


def _refused(status: int, headers: dict, **context):
    """A scan that shows no profile: too many scans (429) or not a valid code (404), each with its
    own title, colour and advice, so a busy phone is never taken for a fake code."""
    html = render_template("credit/scan_refused.html", hotline=current_app.config["PLATFORM_HOTLINE"], **context)
    return _page_response(html, status, headers)


def _page_response(html: str, status: int, headers: dict):
    response = current_app.make_response((html, status, headers))
    response.headers["Content-Security-Policy"] = PAGE_SECURITY_POLICY
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the URL is the token
    return response
