"""The message catalogue: every piece of text a person reads, in zh-CN and English.

zh-CN is the first language; English is offered beside it. Pages, the API's error messages, the
CLI and the printed ticket all take their words from here, by key::

    t("status.waiting", "zh")                       # 等候中
    t("error.window_busy", "en", number="A012")      # Window still holds ticket A012 …
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

MESSAGES: dict[str, tuple[str, str]] = {
    # --- the product ------------------------------------------------------------------------
    "app.title": ("政务服务大厅排队叫号系统", "Service hall queue system"),
    "app.short": ("排队叫号", "hallq"),
    "lang.switch": ("English", "中文"),
    # --- start page ---------------------------------------------------------------------------
    "home.heading": ("{hall}", "{hall}"),
    "home.lead": (
        "取号、叫号、大厅显示和管理统计，一套系统。请选择要打开的屏幕。",
        "Tickets, calls, lobby screens and management in one system. Choose a screen to open.",
    ),
    "home.screens": ("屏幕", "Screens"),
    "home.api": ("接口", "API"),
    "home.api.openapi": ("接口说明（OpenAPI）", "API description (OpenAPI)"),
    "home.api.health": ("运行状态", "Health check"),
    # --- command line -------------------------------------------------------------------------
    "cli.serving": ("hallq 已启动：{url}", "hallq is running at {url}"),
    "cli.screens": ("屏幕：", "Screens:"),
    "home.today": ("今日", "Today"),
    "home.windows": ("{count} 个窗口", "{count} windows"),
    "home.services": ("{count} 个事项", "{count} services"),
    "home.zones": ("{count} 个办理区", "{count} zones"),
    "home.hours": ("办公时间 {open}–{close}", "Open {open}–{close}"),
    "home.zones.heading": ("办理区", "Zones"),
    "home.floor": ("{floor} 楼", "Floor {floor}"),
    "home.list": ("{items}", "{items}"),
    "home.col.zone": ("办理区", "Zone"),
    "home.col.floor": ("楼层", "Floor"),
    "home.col.windows": ("窗口", "Windows"),
    "home.col.services": ("办理事项", "Services"),
    "screen.home": ("首页", "Start"),
    "screen.home.about": ("所有屏幕的入口", "The way to every screen"),
    "notfound.heading": ("页面不存在", "Page not found"),
    "notfound.body": ("这个地址没有对应的页面。", "There is no page at this address."),
    "notfound.back": ("返回首页", "Back to the start page"),
    # --- ticket and window states -------------------------------------------------------------
    "status.waiting": ("等候中", "waiting"),
    "status.called": ("已叫号", "called"),
    "status.serving": ("办理中", "being served"),
    "status.done": ("已办结", "done"),
    "status.no_show": ("过号", "no-show"),
    "status.cancelled": ("已取消", "cancelled"),
    "status.expired": ("已过期", "expired"),
    "status.transferred": ("已转号", "transferred"),
    "priority.normal": ("普通", "normal"),
    "priority.priority": ("优先", "priority"),
    "priority.green": ("绿色通道", "green channel"),
    "window.open": ("服务中", "open"),
    "window.paused": ("暂停服务", "paused"),
    "window.closed": ("未开放", "closed"),
    "window.label": ("{id} 号窗口", "Window {id}"),
    "outcome.done": ("即办办结", "done on the spot"),
    "outcome.promised": ("承诺件受理", "accepted, promised by a date"),
    "outcome.incomplete": ("材料不全（一次性告知）", "materials incomplete (told once)"),
    "outcome.consult": ("咨询", "consultation only"),
    "action.call": ("叫号", "Call"),
    "action.recall": ("重呼", "Recall"),
    "action.start": ("开始办理", "Start"),
    "action.finish": ("办结", "Finish"),
    "action.no_show": ("过号", "No-show"),
    "action.transfer": ("转号", "Transfer"),
    "action.cancel": ("取消", "Cancel"),
    # --- errors (the API's error codes) -------------------------------------------------------
    "error.unknown_service": (
        "没有编号为 {service} 的办理事项。",
        "There is no service with the code {service}.",
    ),
    "error.invalid_priority": (
        "优先级 {priority} 无效（normal、priority 或 green）。",
        "Priority {priority} is not one of normal, priority, green.",
    ),
    "error.invalid_outcome": (
        "办理结果 {outcome} 无效（done、promised、incomplete 或 consult）。",
        "Outcome {outcome} is not one of done, promised, incomplete, consult.",
    ),
    "error.invalid_role": ("角色 {role} 无效（{roles}）。", "Role {role} is not one of {roles}."),
    "error.unknown_ticket": ("找不到这张号票。", "No such ticket."),
    "error.unknown_window": ("没有 {window} 号窗口。", "There is no window {window}."),
    "error.unknown_zone": (
        "没有编号为 {zone} 的办理区。",
        "There is no zone with the code {zone}.",
    ),
    "error.promised_date_in_past": (
        "承诺办结日期 {date} 早于今天。",
        "The promised date {date} lies in the past.",
    ),
    "error.unknown_target_window": (
        "没有 {window} 号窗口，无法转过去。",
        "There is no window {window} to transfer to.",
    ),
    "error.transfer_target_required": (
        "转号时请指定一个事项或一个窗口（只能选一个）。",
        "Name either a service or a window to transfer to (one of them).",
    ),
    "error.promised_date_required": (
        "承诺件请填写承诺办结日期。",
        "An item accepted with a promise needs the promised date.",
    ),
    "error.invalid_project_code": (
        "重点项目编码 {code} 无效或已过期，请向服务台核实。",
        "Key-project code {code} is not valid or has expired; please ask at the service desk.",
    ),
    "error.green_not_authorised": (
        "绿色通道需要重点项目编码或工作人员授权。",
        "The green channel needs a key-project code or a member of staff.",
    ),
    "error.hall_closed": (
        "现在不是取号时间（{days} {first}–{last}）。",
        "Tickets are given out {days} {first}–{last}; not now.",
    ),
    "error.service_not_offered": (
        "今天不办理“{name}”。",
        "“{name}” is not offered today.",
    ),
    "error.no_window_for_service": (
        "今天没有窗口办理“{name}”，请到服务台咨询。",
        "No window handles “{name}” today; please ask at the service desk.",
    ),
    "error.window_closed": (
        "{window} 号窗口未开放，请先开启窗口。",
        "Window {window} is closed; open it first.",
    ),
    "error.window_paused": (
        "{window} 号窗口暂停服务中，请先恢复服务。",
        "Window {window} is paused; resume it first.",
    ),
    "error.window_busy": (
        "{window} 号窗口还有未办结的 {number} 号，请先办结、过号或转号。",
        "Window {window} still holds ticket {number}: finish it, mark it no-show or "
        "transfer it first.",
    ),
    "error.no_current_ticket": (
        "{window} 号窗口当前没有号票。",
        "Window {window} holds no ticket now.",
    ),
    "error.wrong_state": (
        "{number} 号当前为“{status}”，不能{action}。",
        "Ticket {number} is {status}: “{action}” is not possible now.",
    ),
    "error.request_id_reused": (
        "这个请求编号已用于另一张号票。",
        "This request_id was already used for a different ticket.",
    ),
    "error.rate_limited": (
        "取号太频繁，请 {seconds} 秒后再试。",
        "Too many tickets from this place; try again in {seconds} seconds.",
    ),
    "error.store_unavailable": (
        "暂时无法连接数据库，请稍候再试。",
        "The database cannot be reached just now; please try again shortly.",
    ),
    "error.store_not_migrated": (
        "数据库尚未初始化，请先运行 hallq init-db。",
        "The database has not been set up; run hallq init-db first.",
    ),
    "error.bad_json": (
        "请求内容不是有效的 JSON：{detail}",
        "The request body is not valid JSON: {detail}",
    ),
    "error.invalid_request": ("请求内容有误：{detail}", "The request is not valid: {detail}"),
    "error.unauthenticated": (
        "需要有效的访问令牌（Authorization: Bearer …）。",
        "A valid token is needed (Authorization: Bearer …).",
    ),
    "error.forbidden": (
        "此令牌的角色（{role}）无权执行此操作。",
        "A token with the role {role} may not do this.",
    ),
    "error.not_found": ("没有这个接口：{path}", "No such endpoint: {path}"),
    "error.method_not_allowed": (
        "{path} 不支持 {method} 方法。",
        "{path} does not accept {method}.",
    ),
    "error.internal": (
        "系统内部错误，已记录，请稍后再试。",
        "Internal error; it has been logged. Please try again later.",
    ),
    "weekdays.mon-fri": ("周一至周五", "Mon–Fri"),
    "weekday.mon": ("周一", "Mon"),
    "weekday.tue": ("周二", "Tue"),
    "weekday.wed": ("周三", "Wed"),
    "weekday.thu": ("周四", "Thu"),
    "weekday.fri": ("周五", "Fri"),
    "weekday.sat": ("周六", "Sat"),
    "weekday.sun": ("周日", "Sun"),
}


def t(key: str, lang: str = "zh", /, **params: object) -> str:
    """The text for ``key`` in ``lang`` (zh unless ``en``), with ``params`` filled in.

    An unknown key answers the key itself, so a missing translation shows, never crashes.
    """
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "en" else pair[0]
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


class Phrase:
    """A catalogue entry not yet put into a language: ``Phrase("status.waiting")("en")``."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __call__(self, lang: str) -> str:
        return t(self.key, lang)


def norm_lang(value: str | None) -> Lang:
    """``en`` for anything that starts with "en", else ``zh``."""
    return "en" if (value or "").lower().startswith("en") else "zh"


def weekdays(days: list[str], lang: str) -> str:
    if list(days) == ["mon", "tue", "wed", "thu", "fri"]:
        return t("weekdays.mon-fri", lang)
    sep = "、" if lang != "en" else ", "
    return sep.join(t(f"weekday.{d}", lang) for d in days)
