"""The message catalogue: every piece of text a person reads, in zh-CN and English.

zh-CN is the first language; English is offered beside it. Pages, the API's error messages, the
CLI and the printed ticket all take their words from here, by key::

    t("status.waiting", "zh")                       # 等候中
    t("error.window_busy", "en", number="A012")      # Window still holds ticket A012 …
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

MESSAGES: dict[str, tuple[str, str]] = {
    # --- the product ------------------------------------------------------------------------
    "app.title": ("政务服务大厅排队叫号系统", "Service hall queue system"),
    "lang.switch": ("English", "中文"),
    # --- start page ---------------------------------------------------------------------------
    "home.lead": (
        "取号、叫号、大厅显示和管理统计，一套系统。请选择要打开的屏幕。",
        "Tickets, calls, lobby screens and management in one system. Choose a screen to open.",
    ),
    "home.screens": ("屏幕", "Screens"),
    "home.api": ("接口", "API"),
    "home.api.openapi": ("接口说明（OpenAPI）", "API description (OpenAPI)"),
    "home.api.health": ("运行状态", "Health check"),
    "home.windows": ("{count} 个窗口", "{count} windows"),
    "home.services": ("{count} 个事项", "{count} services"),
    "home.zones": ("{count} 个办理区", "{count} zones"),
    "home.hours": ("办公时间 {open}–{close}", "Open {open}–{close}"),
    "home.zones.heading": ("办理区", "Zones"),
    "home.col.zone": ("办理区", "Zone"),
    "home.col.floor": ("楼层", "Floor"),
    "home.col.windows": ("窗口", "Windows"),
    "home.col.services": ("办理事项", "Services"),
    "home.col.display": ("区域显示屏", "Zone wallboard"),
    "screen.home": ("首页", "Start"),
    "screen.home.about": ("所有屏幕的入口", "The way to every screen"),
    "notfound.heading": ("页面不存在", "Page not found"),
    "notfound.body": ("这个地址没有对应的页面。", "There is no page at this address."),
    "notfound.back": ("返回首页", "Back to the start page"),
    # --- staff sign-in ------------------------------------------------------------------------
    "screen.login": ("工作人员登录", "Staff sign-in"),
    "screen.login.about": ("窗口工作人员和管理人员登录", "For clerks at the windows and managers"),
    "login.title": ("工作人员登录", "Staff sign-in"),
    "login.name": ("用户名", "User name"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Sign in"),
    "login.signed_in": ("已登录：{name}", "Signed in as {name}"),
    "login.sign_out": ("退出登录", "Sign out"),
    "login.continue": ("继续", "Continue"),
    "login.unavailable": (
        "暂时无法登录，请稍候再试。",
        "Signing in is not possible just now; try again shortly.",
    ),
    "live.reconnecting": ("正在重新连接…", "Reconnecting…"),
    # --- the staff page (managers) ------------------------------------------------------------
    "screen.staff": ("管理：窗口、打印机、人员", "Manage: windows, printers, staff"),
    "screen.staff.about": (
        "窗口状态、取号机打印机故障、工作人员账号（管理人员）",
        "Window states, kiosk printer faults, staff accounts (managers)",
    ),
    "staff.title": ("窗口、打印机与人员", "Windows, printers and staff"),
    "staff.windows": ("窗口", "Windows"),
    "staff.printers": ("取号机打印机", "Kiosk printers"),
    "staff.no_printers": ("还没有打印记录。", "Nothing printed yet."),
    "staff.failed_prints": ("未能打印的号票", "Tickets that could not be printed"),
    "staff.no_failed_prints": ("今天没有打印失败的号票。", "No ticket failed to print today."),
    "staff.people": ("工作人员", "Staff"),
    "staff.add": ("新增工作人员", "Add a member of staff"),
    "staff.add.submit": ("新增", "Add"),
    "staff.added": ("已新增 {name}。", "{name} added."),
    "staff.col.window": ("窗口", "Window"),
    "staff.col.department": ("部门", "Department"),
    "staff.col.state": ("状态", "State"),
    "staff.col.current": ("当前号", "Current"),
    "staff.col.kiosk": ("取号机", "Kiosk"),
    "staff.col.paper": ("纸张", "Paper"),
    "staff.col.error": ("最近故障", "Last fault"),
    "staff.col.ticket": ("号码", "Ticket"),
    "staff.col.issued": ("取号时间", "Taken at"),
    "staff.col.reason": ("原因", "Reason"),
    "staff.col.name": ("用户名", "Name"),
    "staff.col.display": ("显示名", "Shown as"),
    "staff.col.role": ("角色", "Role"),
    "staff.col.windows": ("窗口", "Windows"),
    "staff.any": ("全部", "any"),
    "staff.col.hall": ("所属大厅", "Hall"),
    "staff.network": ("全网", "network"),
    "staff.hall.note": (
        "全网账号可在每个大厅工作；大厅账号只在本大厅。",
        "A network account works in every hall; a hall's account in its own hall only.",
    ),
    "staff.other_hall": (
        "您的账号属于大厅 {own}，不能使用大厅 {hall} 的页面。",
        "Your account belongs to hall {own}: the pages of hall {hall} are not yours.",
    ),
    "staff.kiosks": ("取号机配对", "Kiosk pairing"),
    "staff.kiosks.note": (
        "在取号机电脑的浏览器上打开配对链接，它就成为该取号机：号票由它的打印机打印。"
        "未配对的浏览器也能取号，但不打印号票。",
        "Open a pairing link in the kiosk PC's browser to make it that kiosk: its tickets print "
        "on its printer. An unpaired browser still gives tickets, but prints none.",
    ),
    "staff.pair": ("配对 {kiosk}", "Pair {kiosk}"),
    "staff.pair.link": (
        "请在取号机 {kiosk} 的浏览器中打开此链接（{until} 前有效，只能用一次）：",
        "Open this link in kiosk {kiosk}'s browser (valid until {until}, once):",
    ),
    "staff.no_devices": ("还没有已配对的取号机。", "No kiosk is paired yet."),
    "staff.unpair": ("解除配对", "Unpair"),
    "staff.unpaired": ("设备 {device} 已解除配对。", "Device {device} is unpaired."),
    "staff.col.device": ("设备", "Device"),
    "staff.col.paired": ("配对时间", "Paired"),
    "staff.sessions": ("已登录的会话", "Signed-in sessions"),
    "staff.no_sessions": ("现在没有人登录。", "Nobody is signed in."),
    "staff.col.since": ("登录时间", "Signed in"),
    "staff.col.seen": ("最近活动", "Last seen"),
    "staff.col.client": ("地址", "Address"),
    "staff.col.agent": ("浏览器", "Browser"),
    "staff.end_session": ("下线", "Sign out"),
    "staff.session_ended": ("{name} 的这个会话已下线。", "That session of {name} has ended."),
    # --- staff page: who serves what today, accounts (issue 11) --------------------------------
    "staff.col.services": ("今日办理事项", "Services today"),
    "staff.col.account": ("账号", "Account"),
    "staff.active": ("可登录", "active"),
    "staff.stopped": ("已停用", "stopped"),
    "staff.profile": ("今日窗口分工", "Who serves what today"),
    "staff.profile.note": (
        "勾选该窗口今天办理的事项；当天有效（重启后仍有效），次日恢复大厅配置文件中的分工。",
        "Tick the services the window takes today; holds for the day (through a restart), "
        "and the hall file's profile returns the next day.",
    ),
    "staff.profile.window": ("窗口", "Window"),
    "staff.profile.services": ("今天办理的事项", "Services it takes today"),
    "staff.profile.save": ("保存今日分工", "Save for today"),
    "staff.profile.saved": (
        "{window} 号窗口今日分工已保存。",
        "Window {window}'s services for today are saved.",
    ),
    "staff.profile.no_window": ("请先选择窗口。", "Choose a window first."),
    "staff.profile.today": ("今日调整", "today"),
    "staff.account": ("账号管理", "Accounts"),
    "staff.account.who": ("账号", "Account"),
    "staff.account.password": ("新密码（重置密码时填写）", "New password (to reset it)"),
    "staff.account.reset": ("重置密码", "Reset password"),
    "staff.account.disable": ("停用", "Stop"),
    "staff.account.enable": ("启用", "Start again"),
    "staff.account.none": ("请先选择账号。", "Choose an account first."),
    "staff.account.reset_done": (
        "{name} 的密码已重置，其所有会话已下线。",
        "{name}'s password is reset; their sessions have ended.",
    ),
    "staff.account.disabled": (
        "{name} 已停用，其所有会话已下线。",
        "{name} is stopped; their sessions have ended.",
    ),
    "staff.account.enabled": ("{name} 已启用。", "{name} may sign in again."),
    "error.no_services": (
        "{window} 号窗口至少要办理一项事项。",
        "Window {window} must take at least one service.",
    ),
    "error.not_your_account": (
        "无权更改账号 {name}（管理员账号只能由管理员更改，也不能停用自己的账号）。",
        "You may not change the account {name} (only an administrator changes an "
        "administrator's, and nobody stops their own).",
    ),
    "role.clerk": ("窗口人员", "clerk"),
    "role.manager": ("管理人员", "manager"),
    "role.admin": ("系统管理员", "administrator"),
    "printer.ok": ("正常", "OK"),
    "printer.fault": ("故障", "fault"),
    "printer.unknown": ("未知", "unknown"),
    # why a ticket did not print (queues.printjobs.FAULTS)
    "fault.refused": (
        "打印机拒绝连接：是否已开机？",
        "The printer refuses the connection: is it switched on?",
    ),
    "fault.silent": (
        "打印机没有应答：是否已开机并连好？",
        "The printer does not answer: is it switched on and connected?",
    ),
    "fault.unconfirmed": (
        "打印机接受了连接，却没有确认收到号票：请检查打印机",
        "The printer took the connection but did not confirm the ticket: check the printer",
    ),
    "fault.hung_up": (
        "打印中打印机断开：请检查打印机和线缆",
        "The printer hung up while printing: check it and its cable",
    ),
    "fault.unreachable": (
        "连不上打印机：是否已开机并连好？",
        "The printer cannot be reached: is it switched on and connected?",
    ),
    "fault.paper_out": ("打印机缺纸", "The printer is out of paper"),
    "fault.cannot_write": ("号票文件无法写入", "The ticket file cannot be written"),
    "fault.other": ("打印机故障", "Printer fault"),
    "fault.unprintable": (
        "号票内容无法生成（不是打印机的问题）；查明原因后可补打",
        "The slip cannot be made (not the printer's fault); reprint it once the cause is found",
    ),
    "paper.ok": ("有纸", "OK"),
    "paper.low": ("将尽", "low"),
    "paper.out": ("缺纸", "out"),
    "paper.unknown": ("—", "—"),
    # --- manager dashboard ---------------------------------------------------------------------
    "screen.dashboard": ("运营看板", "Dashboard"),
    "screen.dashboard.about": (
        "实时等候、办结、满意度、窗口绩效、告警和窗口需求预测（管理人员）",
        "Live waits, service, ratings, window performance, alerts and capacity (managers)",
    ),
    "dash.title": ("运营看板", "Dashboard"),
    "dash.all_zones": ("全部办理区", "All zones"),
    "kpi.waiting": ("当前等候", "Waiting now"),
    "kpi.finished": ("今日办结", "Finished today"),
    "kpi.handled": ("办理 {handled} · 取号 {issued}", "{handled} handled · {issued} issued"),
    "kpi.wait": ("平均等候", "Mean wait"),
    "kpi.p90": ("90% 在 {minutes} 分钟内", "90% within {minutes} min"),
    "kpi.within": ("目标内叫号", "Called within target"),
    "kpi.late": ("{count} 人超时", "{count} waited past target"),
    "kpi.waiting_late": (
        "最长等候 {minutes} 分钟 · {count} 人已超时",
        "longest {minutes} min · {count} past target",
    ),
    "kpi.no_show": ("过号率", "No-show rate"),
    "kpi.no_shows": ("{count} 人过号", "{count} no-shows"),
    "kpi.service": ("平均办理", "Mean service"),
    "kpi.windows": ("开放窗口", "Windows open"),
    "kpi.rating": ("满意度", "Rating"),
    "kpi.bad": ("今日差评 {count}", "{count} bad today"),
    "kpi.minutes": ("{minutes} 分钟", "{minutes} min"),
    "kpi.none": ("—", "—"),
    "dash.queues": ("今日各办理区等候人数", "Waiting through today, by zone"),
    "dash.waits": ("今日等候时长分布", "Today's waits"),
    "dash.minutes": ("等候分钟", "minutes waited"),
    "dash.visitors": ("人数", "visitors"),
    "dash.windows": ("窗口", "Windows"),
    "dash.alerts": ("告警", "Alerts"),
    # --- dashboard: where the bottleneck is now (issue 11) ------------------------------------
    "dash.zone": ("区域", "Zone"),
    "dash.planner.weekday": ("星期", "Weekday"),
    "dash.services": ("各事项排队（最需关注的在前）", "Queues by service (worst first)"),
    "dash.services.none": (
        "现在没有人等候，也没有开放的窗口。",
        "Nobody waits and no window is open.",
    ),
    "dash.services.longest": ("{minutes} / {target} 分钟", "{minutes} / {target} min"),
    "dash.services.no_window": ("无开放窗口", "no window open"),
    "dash.services.col.service": ("事项", "Service"),
    "dash.services.col.waiting": ("等候", "Waiting"),
    "dash.services.col.longest": ("最长等候 / 目标", "Longest wait / target"),
    "dash.services.col.windows_open": ("开放窗口", "Windows open"),
    "dash.services.col.eta": ("新取号预计等候", "Predicted wait"),
    "dash.no_alerts": ("暂无告警。", "No alerts."),
    "dash.heatmap": (
        "近 8 周取号热力图（每小时平均取号数）",
        "Tickets per hour, last 8 weeks (mean)",
    ),
    "dash.planner": ("窗口需求预测", "Windows needed"),
    "dash.planner.note": (
        "按近 8 周同一星期几的取号量预测，以 Erlang C 计算每小时需开窗口数"
        "（80% 的人在目标时间内被叫号），与实际开放窗口数对比。",
        "Arrivals forecast from the same weekday of the last 8 weeks; Erlang C gives the "
        "windows each hour needs for 80% of visitors to be called within target, "
        "beside those that were open.",
    ),
    "window.reason": ("（{reason}）", " ({reason})"),
    "dash.updated": ("更新于 {time}", "Updated {time}"),
    "dash.per_hour": ("每小时取号", "tickets an hour"),
    "dash.within_target": ("目标内", "within target"),
    "dash.past_target": ("超过目标", "past target"),
    "dash.none_behind": ("没有相关号票。", "No tickets."),
    "drill.handled": ("办理", "handled"),
    "drill.finished": ("办结", "finished"),
    "drill.no_shows": ("过号", "no-shows"),
    "drill.rated": ("评价", "ratings"),
    "dash.forecast": ("预测取号", "forecast tickets"),
    "dash.needed": ("需开窗口", "windows needed"),
    "dash.open": ("实际开放", "windows open"),
    "dash.tickets_behind": ("明细：{figure}", "Tickets behind: {figure}"),
    "dash.col.number": ("号码", "Number"),
    "dash.col.service": ("事项", "Service"),
    "dash.col.status": ("状态", "Status"),
    "dash.col.window": ("窗口", "Window"),
    "dash.col.issued": ("取号时间", "Issued"),
    "dash.col.waited": ("等候（分钟）", "Waited (min)"),
    "dash.col.state": ("状态", "State"),
    "dash.col.current": ("当前", "Current"),
    "dash.col.handled": ("办理", "Handled"),
    "dash.col.finished": ("办结", "Finished"),
    "dash.col.service_mean": ("平均办理", "Mean service"),
    "dash.col.open": ("开放时长", "Open"),
    "dash.col.busy": ("办理占比", "Serving"),
    "dash.col.no_shows": ("过号", "No-shows"),
    "dash.col.rating": ("满意度", "Rating"),
    "alert.wait": (
        "{subject}：{late} 人等候超过 {target} 分钟（最长 {longest} 分钟）",
        "{subject}: {late} waiting past {target} min (longest {longest} min)",
    ),
    "alert.queue": ("{subject}：{waiting} 人等候", "{subject}: {waiting} waiting"),
    "alert.pause": (
        "{subject} 号窗口已暂停 {minutes} 分钟",
        "Window {subject} paused for {minutes} min",
    ),
    "alert.printer": (
        "取号机 {subject} 打印机故障：{error}",
        "Kiosk {subject} printer fault: {error}",
    ),
    "report.title": ("统计报表", "Reports"),
    "report.title.month": ("{year}年{month}月", "{year}-{month:02d}"),
    "report.title.quarter": ("{year}年第{quarter}季度", "Q{quarter} {year}"),
    "report.title.year": ("{year}年", "{year}"),
    "report.title.range": ("{start} 至 {end}", "{start} to {end}"),
    "report.error.no_end": ("自定义区间须有结束日期。", "a custom range needs an end date"),
    "report.error.backwards": ("结束日期早于开始日期。", "the end comes before the start"),
    "report.error.too_long": ("区间最长三年。", "a range is at most three years"),
    "report.period": ("周期", "Period"),
    "report.period.day": ("日", "Day"),
    "report.period.week": ("周", "Week"),
    "report.period.month": ("月", "Month"),
    "report.period.quarter": ("季", "Quarter"),
    "report.period.year": ("年", "Year"),
    "report.period.custom": ("自定义", "Custom"),
    "report.date": ("日期", "Date"),
    "report.end": ("至", "to"),
    "report.by": ("统计口径", "By"),
    "report.group.zone": ("办理区", "Zone"),
    "report.group.service": ("事项", "Service"),
    "report.group.window": ("窗口", "Window"),
    "report.group.clerk": ("工作人员", "Clerk"),
    "report.group.all": ("合计", "Total"),
    "report.window": ("{window} 号窗口", "Window {window}"),
    "report.total": ("合计", "Total"),
    "report.col.issued": ("取号", "Issued"),
    "report.col.called": ("叫号", "Called"),
    "report.col.handled": ("办理量", "Handled"),
    "report.col.finished": ("办结量", "Finished"),
    "report.col.transferred": ("转出", "Transferred on"),
    "report.col.late": ("超时", "Late"),
    "report.col.no_shows": ("过号", "No-shows"),
    "report.col.no_show_rate": ("过号率", "No-show rate"),
    "report.col.wait_mean": ("平均等候（分）", "Mean wait (min)"),
    "report.col.wait_p90": ("90% 等候（分）", "p90 wait (min)"),
    "report.col.within_target": ("目标内叫号率", "Within target"),
    "report.col.service_mean": ("平均办理（分）", "Mean service (min)"),
    "report.col.outcome.done": ("即办", "Done"),
    "report.col.outcome.promised": ("承诺件", "Promised"),
    "report.col.outcome.incomplete": ("材料不全", "Incomplete"),
    "report.col.outcome.consult": ("咨询", "Consultation"),
    "report.col.rating": ("满意度", "Rating"),
    "report.col.ratings": ("评价数", "Ratings"),
    "report.col.bad": ("差评", "Bad"),
    "report.col.open_hours": ("开放（小时）", "Open (h)"),
    "report.col.serving_share": ("办理占比", "Serving"),
    "report.col.place": ("名次", "Place"),
    "report.col.name": ("名称", "Name"),
    "report.col.score": ("得分", "Score"),
    "report.col.day": ("日期", "Date"),
    "report.col.number": ("号码", "Number"),
    "report.col.service_name": ("事项", "Service"),
    "report.col.window": ("窗口", "Window"),
    "report.col.clerk": ("工作人员", "Clerk"),
    "report.col.score_given": ("评价", "Rating"),
    "report.col.comment": ("意见", "Comment"),
    "report.col.follow_up": ("回访", "Follow-up"),
    "report.col.note": ("处理情况", "Note"),
    "report.sheet.figures": ("统计", "Figures"),
    "report.sheet.windows": ("窗口排名", "Window ranking"),
    "report.sheet.clerks": ("个人排名", "Clerk ranking"),
    "report.sheet.bad": ("差评回访", "Bad ratings"),
    "report.ranking.windows": ("窗口排名（先进窗口）", "Window ranking"),
    "report.ranking.clerks": ("个人排名（先进个人）", "Clerk ranking"),
    "report.ranking.note": (
        "得分 = 40×目标内叫号率 + 40×满意度 + 20×办结量÷最高办结量（无评价时按其余部分折算）。",
        "Score = 40 × within target + 40 × satisfaction + 20 × served ÷ most served "
        "(without ratings, the other parts are scaled up).",
    ),
    "report.bad": ("差评及回访", "Bad ratings and follow-up"),
    "report.no_bad": ("本期无差评。", "No bad ratings in this period."),
    "report.no_data": ("本期没有数据。", "Nothing recorded in this period."),
    "report.csv": ("导出 CSV", "Export CSV"),
    "report.xlsx": ("导出 Excel", "Export Excel"),
    "report.print": ("打印", "Print"),
    "report.link": ("本报表链接", "Link to this report"),
    "report.save": ("保存", "Save"),
    # --- reports: the follow-up editor, date pickers (issue 11) --------------------------------
    "report.follow_up.title": ("差评跟进", "Follow up a bad rating"),
    "report.follow_up.rating": ("差评", "Bad rating"),
    "report.follow_up.choose": ("请选择差评和跟进状态。", "Choose a rating and its follow-up."),
    "report.pick_date": ("选择日期", "Pick a date"),
    "report.month_format": ("YYYY年M月", "MMMM YYYY"),  # the date picker's month heading
    "report.saved": ("已保存", "Saved"),
    "follow_up.open": ("未处理", "Open"),
    "follow_up.contacted": ("已联系", "Contacted"),
    "follow_up.resolved": ("已解决", "Resolved"),
    "screen.reports": ("统计报表", "Reports"),
    "screen.reports.about": (
        "日、周、月、季、年考核报表，窗口与个人排名，差评回访，导出 Excel（管理人员）",
        "Daily to yearly assessment, rankings, bad-rating follow-up, Excel export (managers)",
    ),
    # --- the network of halls: the district's view (issue 12) ----------------------------------
    "screen.network": ("全区大厅总览", "All halls"),
    "screen.network.about": (
        "区、镇（街道）、村（社区）各大厅实时状况，跨大厅报表与大厅考核排名（全区管理人员）",
        "Every hall live, reports across halls and the ranking of halls (network managers)",
    ),
    "screen.network_reports": ("跨大厅报表与考核", "Reports across halls"),
    "screen.network_reports.about": (
        "按大厅、事项、层级汇总的日至年报表，大厅考核排名，导出 Excel（全区管理人员）",
        "Daily to yearly figures by hall, service and level, the ranking of halls, Excel export",
    ),
    "network.title": ("全区大厅总览", "All halls"),
    "network.reports.title": ("跨大厅报表与考核", "Reports across halls"),
    "network.only": (
        "此页面仅供全区管理人员使用（当前账号属于 {hall}）。",
        "This page is for the network's managers (this account belongs to {hall}).",
    ),
    "network.level.district": ("区级", "District"),
    "network.level.town": ("镇（街道）级", "Town"),
    "network.level.village": ("村（社区）级", "Village"),
    "network.col.hall": ("大厅", "Hall"),
    "network.col.level": ("层级", "Level"),
    "network.col.waiting": ("等候", "Waiting"),
    "network.col.worst": ("最长等候 / 目标", "Longest wait / target"),
    "network.col.worst_service": ("事项", "Service"),
    "network.col.windows": ("开放窗口", "Windows open"),
    "network.col.alerts": ("告警", "Alerts"),
    "network.col.served": ("今日办理", "Served today"),
    "network.col.ratings": ("今日评价", "Ratings today"),
    "network.col.rating_mean": ("满意度", "Rating"),
    "network.col.bad": ("差评", "Bad"),
    "network.worst": ("{minutes} / {target} 分钟", "{minutes} / {target} min"),
    "network.windows": ("{open} / {total}", "{open} / {total}"),
    "network.order": (
        "排序：最长等候占目标比例最高的大厅在前，其次告警多、等候多的在前。",
        "Worst first: the longest wait as a share of its target, then alerts, then waiting.",
    ),
    "network.open": ("打开 {hall} 的运营看板", "Open the dashboard of {hall}"),
    "network.group.hall": ("大厅", "Hall"),
    "network.group.service": ("事项（跨大厅合计）", "Service (all halls)"),
    "network.group.level": ("层级", "Level"),
    "network.service_note": (
        "按事项统计时，各大厅事项编码相同的合并计算。",
        "By service, services with the same code in different halls add up.",
    ),
    "network.ranking": ("大厅考核排名（部门分大厅管理考核）", "Ranking of halls"),
    "network.rank.sheet.district": ("区级排名", "District ranking"),
    "network.rank.sheet.town": ("镇级排名", "Town ranking"),
    "network.rank.sheet.village": ("村级排名", "Village ranking"),
    "network.ranking.note": (
        "得分 = 40×目标内叫号率 + 30×满意度 + 15×(1−过号率) + 15×每窗口小时办理量÷同层级最高值；"
        "缺少数据的部分不计，其余按比例折算。镇与镇比、村与村比。",
        "Score = 40 × within target + 30 × satisfaction + 15 × (1 − no-show rate) + 15 × handled "
        "per open window-hour ÷ the most of the level; a part without data is left out and the "
        "others scaled up. Towns rank among towns, villages among villages.",
    ),
    "report.col.satisfaction": ("满意度（0–1）", "Satisfaction (0–1)"),
    "report.col.shows": ("到场率", "Show rate"),
    "report.col.per_window_hour": ("每窗口小时办理", "Handled per window-hour"),
    "weekday.0": ("星期一", "Monday"),
    "weekday.1": ("星期二", "Tuesday"),
    "weekday.2": ("星期三", "Wednesday"),
    "weekday.3": ("星期四", "Thursday"),
    "weekday.4": ("星期五", "Friday"),
    "weekday.5": ("星期六", "Saturday"),
    "weekday.6": ("星期日", "Sunday"),
    # --- wallboards ---------------------------------------------------------------------------
    "screen.display": ("大厅综合屏", "Hall wallboard"),
    "screen.display.about": (
        "大屏显示叫号、各事项等候人数和预计等候时间，并语音播报",
        "Calls, queues and expected waits on the lobby screen, spoken aloud",
    ),
    "display.calling": ("正在呼叫", "Now calling"),
    "display.to_window": ("请到 {window} 号窗口", "Window {window}"),
    "display.window_short": ("{window} 号窗口", "Window {window}"),
    "display.nobody_called": ("暂无呼叫", "No calls yet"),
    "display.queues": ("等候情况", "Queues"),
    "display.col.service": ("办理事项", "Service"),
    "display.col.waiting": ("等候", "Waiting"),
    "display.col.eta": ("预计", "Expected"),
    "display.eta": ("约 {minutes} 分", "~{minutes} min"),
    "display.eta_now": ("即到", "now"),
    "display.eta_none": ("未开放", "closed"),
    "display.no_queue": ("目前无人等候", "No one is waiting"),
    "display.others": ("其余 {count} 个事项无需等候", "{count} other services: no wait"),
    "display.more": ("另有 {count} 个事项有人等候", "{count} more services have a queue"),
    "display.unknown_zone": ("没有这个办理区：{zone}", "No such zone: {zone}"),
    # the hall's notice along the bottom, both languages at once
    "display.notice": ("{zh}　　{en}", "{zh}　　{en}"),
    # --- the window performance board (/display/performance) ----------------------------------
    "screen.performance": ("窗口绩效屏", "Window performance board"),
    "screen.performance.about": (
        "各窗口状态、今日办理量和办结量、平均办理时间与预期、本月满意度和排名（先进窗口）",
        "Each window's state, today's work, service time against expected, "
        "this month's satisfaction and ranking",
    ),
    "perf.title": ("窗口服务绩效", "Window performance"),
    "perf.col.window": ("窗口", "Window"),
    "perf.col.state": ("状态", "State"),
    "perf.col.clerk": ("工作人员", "Staff"),
    "perf.col.handled": ("今日办理", "Handled"),
    "perf.col.finished": ("今日办结", "Finished"),
    "perf.col.time": ("平均 / 预期", "Mean / expected"),
    "perf.col.rating": ("本月满意度", "Satisfaction"),
    "perf.col.place": ("本月排名", "Rank"),
    "perf.ratings": ("{count} 条", "{count}"),
    "perf.first": ("先进窗口", "Top window"),
    "perf.month": ("{year} 年 {month} 月", "{year}-{month:02d}"),
    "perf.page": ("第 {page}/{pages} 页", "page {page}/{pages}"),
    "perf.note": (
        "办理用时：分钟 · 满意度：本月评价平均分（满分 5）· 排名：本月考核得分",
        "Times in minutes · Satisfaction: mean rating this month, of 5 · Rank: the month's score",
    ),
    "strip.paused": ("暂停服务", "Paused"),
    "strip.closed": ("暂未开放", "Closed"),
    "strip.waiting": ("请稍候", "Please wait"),
    "strip.unknown": ("没有 {window} 号窗口", "There is no window {window}"),
    # --- counter console -----------------------------------------------------------------------
    "screen.counter": ("窗口叫号", "Counter console"),
    "screen.counter.about": (
        "窗口工作人员叫号、重呼、办结、转号、暂停",
        "For the clerk: call, recall, finish, transfer, pause",
    ),
    "counter.title": ("{window} 号窗口 · {department}", "Window {window} · {department}"),
    "counter.sign_in_first": ("请先登录。", "Please sign in first."),
    "counter.not_yours": (
        "您没有 {window} 号窗口的权限。",
        "You are not set up to work window {window}.",
    ),
    "counter.current": ("当前号票", "Current ticket"),
    "counter.none": (
        "暂无号票，按“叫号”呼叫下一位。",
        "No ticket. Press Call to call the next visitor.",
    ),
    "counter.waited": ("已等候 {minutes} 分钟", "waited {minutes} min"),
    "counter.from": ("由“{service}”转来", "transferred from “{service}”"),
    "counter.recalls": ("已重呼 {count} 次", "recalled {count}×"),
    "counter.call": ("叫号", "Call next"),
    "counter.recall": ("重呼", "Recall"),
    "counter.start": ("开始办理", "Start"),
    "counter.finish": ("办结", "Finish"),
    "counter.no_show": ("过号", "No-show"),
    "counter.transfer": ("转号", "Transfer"),
    "counter.transfer.service": ("转到事项", "To a service"),
    "counter.transfer.window": ("或转到窗口", "or to a window"),
    "counter.outcome": ("办理结果", "Outcome"),
    "counter.promised_date": ("承诺办结日期", "Promised date"),
    "counter.pause": ("暂停服务", "Pause"),
    "counter.resume": ("开始 / 恢复服务", "Open / resume"),
    "counter.close": ("结束今日服务", "Close for the day"),
    "counter.reason": ("暂停原因", "Reason"),
    "counter.reason.break": ("休息", "Break"),
    "counter.reason.meeting": ("会议", "Meeting"),
    "counter.reason.training": ("培训", "Training"),
    "counter.reason.fetching": ("调取材料", "Fetching files"),
    "counter.reason.other": ("其他", "Other"),
    "counter.waiting": ("本窗口等候 {count} 人", "{count} waiting for this window"),
    "counter.next": ("接下来：", "Next: "),
    "counter.today": ("今日", "Today"),
    "counter.handled": (
        "办理 {handled}（办结 {finished}）",
        "handled {handled} ({finished} finished)",
    ),
    "counter.no_shows": ("过号 {count}", "no-shows {count}"),
    "counter.transferred": ("转出 {count}", "transferred {count}"),
    "counter.mean_service": ("平均办理 {minutes} 分钟", "mean service {minutes} min"),
    "counter.mean_wait": ("平均等候 {minutes} 分钟", "mean wait {minutes} min"),
    "counter.visitor": ("办事人登记（仅工作人员可见）", "Who was served (staff only)"),
    "counter.visitor.name": ("姓名", "Name"),
    "counter.visitor.company": ("单位", "Company"),
    "counter.visitor.phone": ("电话", "Phone"),
    "counter.visitor.save": ("保存登记", "Save"),
    "counter.saved": ("已保存。", "Saved."),
    "counter.called": ("已呼叫 {number}。", "Called {number}."),
    "counter.nobody": ("没有人在等候本窗口。", "Nobody is waiting for this window."),
    "counter.done": ("{number}：{action}。", "{number}: {action}."),
    "counter.window_done": ("窗口状态：{state}。", "Window is now {state}."),
    "counter.keys": (
        "快捷键（输入框外均可用）：空格 叫号 · R 重呼 · S 开始 · F 办结 · N 过号 · U 撤销过号 · "
        "T 转号 · P 暂停 · C 特呼号码",
        "Keys (anywhere but in a text field): Space call · R recall · S start · F finish · "
        "N no-show · U undo no-show · T transfer · P pause · C call a number",
    ),
    # counter console: undoing a no-show, 特呼, the line, promised dates (issue 11)
    "counter.undo": ("撤销过号", "Undo no-show"),
    "counter.undo_left": ("{seconds} 秒", "{seconds} s"),
    "counter.undone": (
        "{number}：已撤销过号，请继续办理。",
        "{number}: no-show undone; the ticket is back at this window.",
    ),
    "counter.special": ("特呼", "Call this"),
    "counter.special.label": ("特呼指定号码", "Call a given number"),
    "counter.special.placeholder": ("如 T012", "e.g. T012"),
    "counter.special.called": ("已特呼 {number}。", "Called {number} out of turn."),
    "counter.line": ("等候本窗口（按叫号顺序）", "Waiting for this window (next first)"),
    "counter.line.more": ("另有 {count} 人", "and {count} more"),
    "counter.line.waited": ("{minutes} 分钟", "{minutes} min"),
    "counter.line.empty": ("暂无等候。", "Nobody waiting."),
    "counter.issue.title": ("为来访群众取号", "Issue a ticket for a visitor"),
    "counter.issue.service": ("办理事项", "Matter"),
    "counter.issue.priority": (
        "优先（老年人、残疾人、孕妇）",
        "Priority (elderly, disabled, pregnant)",
    ),
    "counter.issue": ("取号", "Issue"),
    "counter.issue.choose": ("请先选择办理事项。", "Choose the matter first."),
    "counter.issued": ("已取号，请告知来访群众：", "Issued; tell the visitor the number:"),
    "counter.issued.scan": (
        "请群众扫码，在手机上查看号码和进度",
        "The visitor scans this to follow the number on the phone",
    ),
    "counter.issued.printing": ("号票正在 {kiosk} 打印", "The slip prints at {kiosk}"),
    "counter.check_promised": (
        "承诺办结日期：请填写 {earliest} 至 {latest} 之间的日期。",
        "Promised date: a day from {earliest} to {latest}.",
    ),
    "error.promised_date_invalid": (
        "承诺办结日期“{date}”无效，请按 年-月-日 填写，年份四位（如 2026-12-15）。",
        "The promised date “{date}” is not a date: year (four digits)-month-day, e.g. 2026-12-15.",
    ),
    "error.promised_date_too_far": (
        "承诺办结日期 {date} 太远，最晚可填 {latest}。请检查年份。",
        "The promised date {date} is too far ahead: {latest} at the latest. Check the year.",
    ),
    "error.invalid_phone": (
        "电话“{phone}”无效：只能填数字、+、-、括号和空格。",
        "The phone number “{phone}” may hold only digits, +, -, brackets and spaces.",
    ),
    "error.nothing_to_undo": (
        "{window} 号窗口没有可撤销的过号（只能撤销本人 {seconds} 秒内的过号）。",
        "Window {window} has no no-show to undo (only your own, within {seconds} seconds).",
    ),
    "error.invalid_ticket_number": (
        "“{number}”不是号码，请输入字母加数字，如 T012。",
        "“{number}” is not a ticket number; type letters and digits, e.g. T012.",
    ),
    "error.unknown_number": ("今天没有 {number} 号。", "There is no ticket {number} today."),
    "error.not_waiting": (
        "{number} 号当前为“{status}”，不在等候，不能特呼。",
        "Ticket {number} is {status}, not waiting: it cannot be called.",
    ),
    "error.called_elsewhere": (
        "{number} 号已被 {window} 号窗口呼叫。",
        "Ticket {number} has been called to window {window}.",
    ),
    "error.not_for_this_window": (
        "{number} 号办理的是“{service}”，{window} 号窗口不办理，不能特呼。",
        "Ticket {number} waits for “{service}”, which window {window} does not serve.",
    ),
    "error.sent_to_another_window": (
        "{number} 号已转给 {target} 号窗口，只能由该窗口呼叫。",
        "Ticket {number} was sent to window {target}; only that window calls it.",
    ),
    # --- kiosk ----------------------------------------------------------------------------------
    "screen.kiosk": ("取号机", "Kiosk"),
    "screen.kiosk.about": (
        "触摸屏自助取号，打印号票，告诉访客去哪里、等多久",
        "Touch screen: take a ticket, print it, and know where to go and how long to wait",
    ),
    "kiosk.title": ("自助取号", "Take a ticket"),
    "kiosk.choose": ("请点选您要办理的事项", "Please tap what you came for"),
    "kiosk.zone": ("{zone} · {floor}", "{zone} · {floor}"),
    "kiosk.waiting": ("等候 {count} 人", "{count} waiting"),
    "kiosk.eta": ("约 {minutes} 分钟", "about {minutes} min"),
    "kiosk.eta_now": ("无需等候", "no wait"),
    "kiosk.eta_none": ("窗口未开放", "windows not open yet"),
    "kiosk.reason.hall_closed": ("不在取号时间", "Not issuing now"),
    "kiosk.reason.service_not_offered": ("今日不办理", "Not offered today"),
    "kiosk.reason.no_window_for_service": ("暂无窗口办理", "No window today"),
    "kiosk.first_step": ("先到 {windows} 号窗口登记", "Register first at window {windows}"),
    "kiosk.chosen": ("您选择了", "You chose"),
    "kiosk.normal": ("普通取号", "Take a ticket"),
    "kiosk.priority": ("优先取号", "Priority ticket"),
    "kiosk.priority.note": ("老年人、残疾人、孕妇", "Elderly, disabled or pregnant"),
    "kiosk.green": ("重点项目绿色通道", "Key-project green channel"),
    "kiosk.green.note": ("重点项目，需输入项目编码", "Key projects, with the project code"),
    "kiosk.back": ("返回", "Back"),
    "kiosk.code.title": ("请输入重点项目编码", "Enter the key-project code"),
    "kiosk.code.ok": ("确定", "OK"),
    "kiosk.code.invalid": (
        "编码无效或已过期，请到服务台咨询",
        "This code is not valid; please ask at the service desk",
    ),
    "kiosk.ticket.your": ("您的号码", "Your number"),
    "kiosk.ticket.ahead": ("前面还有 {ahead} 人", "{ahead} ahead of you"),
    "kiosk.ticket.eta": ("预计等候约 {minutes} 分钟", "Expected wait about {minutes} minutes"),
    "kiosk.ticket.eta_now": ("请留意叫号", "You will be called shortly"),
    "kiosk.ticket.eta_none": ("窗口开放后开始叫号", "Calling starts when the windows open"),
    "kiosk.ticket.scan": ("扫码用手机查看进度", "Scan to follow it on your phone"),
    "kiosk.ticket.done": ("完成", "Done"),
    "kiosk.print.printing": ("正在打印号票…", "Printing your ticket…"),
    "kiosk.print.done": ("请取走号票", "Please take your ticket"),
    "kiosk.print.fault": (
        "打印机暂时故障：请记下您的号码 {number}，凭号码即可办理",
        "The printer has a fault: please note your number {number}; it is all you need",
    ),
    "kiosk.too_many": (
        "本机取号太频繁，请稍候一分钟再取号",
        "Too many tickets from this kiosk just now; please wait a minute",
    ),
    "kiosk.busy": (
        "系统繁忙，暂停取号，请稍候再试",
        "Tickets paused for a moment; please try again",
    ),
    "kiosk.offline": ("网络连接中断，正在重新连接…", "Connection lost, reconnecting…"),
    "kiosk.unpaired": (
        "本机未配对，不打印号票 · 请记下号码或扫码",
        "This screen is not a paired kiosk: no printed ticket · note the number or scan it",
    ),
    "kiosk.print.none": (
        "本机不打印号票，请记下号码或扫码用手机查看",
        "No printed ticket here: note your number or scan it with your phone",
    ),
    "pair.title": ("配对取号机", "Pair a kiosk"),
    "pair.question": (
        "将这台电脑的浏览器配对为取号机 {kiosk}？",
        "Make this computer's browser kiosk {kiosk}?",
    ),
    "pair.note": (
        "配对后，这里取的号由取号机 {kiosk} 的打印机打印。配对链接只能用一次。",
        "Afterwards its tickets print on kiosk {kiosk}'s printer. The link works once.",
    ),
    "pair.submit": ("配对为取号机 {kiosk}", "Pair as kiosk {kiosk}"),
    "pair.done": ("已配对为取号机 {kiosk}", "Paired as kiosk {kiosk}"),
    "kiosk.unknown": ("未知取号机 {kiosk}", "Unknown kiosk {kiosk}"),
    "kiosk.unknown.known": ("已配置的取号机：{known}", "Kiosks in the hall file: {known}"),
    "kiosk.paused": ("暂停取号，请稍候", "Tickets paused, please wait"),
    "kiosk.hours": ("取号时间 {days} {first}–{last}", "Tickets {days} {first}–{last}"),
    # --- the kiosk by zone, help, the ticket's reasons (issue 11) -------------------------------
    "kiosk.start": ("请选择办事区域", "Tap the area of your matter"),
    "kiosk.zone.here": ("本机所在区域", "You are here"),
    "kiosk.zone.count": ("共 {count} 项", "{count} matters"),
    "kiosk.zone.examples": ("{names} 等", "{names} …"),
    "kiosk.page": ("第 {n} 页", "Page {n}"),
    "kiosk.page.of": ("第 {n} 页，共 {total} 页", "Page {n} of {total}"),
    "kiosk.home": ("回首页", "Start"),
    "kiosk.help": ("找工作人员 · 帮助", "Ask staff for help"),
    "kiosk.help.sent": (
        "已通知工作人员，请在取号机旁稍候，马上有人来帮您",
        "Staff have been called: please wait by the kiosk, someone is coming",
    ),
    "kiosk.help.again": (
        "刚才已经通知工作人员，请稍候，马上有人来帮您",
        "Staff were called a moment ago: please wait, someone is coming",
    ),
    "kiosk.key.del": ("删除", "Delete"),
    "kiosk.code.empty": ("请先输入项目编码", "Please enter the code first"),
    "kiosk.ticket.busy": (
        "前面无人等候，但窗口都在办理中，约 {minutes} 分钟后轮到您",
        "Nobody is ahead of you, but the windows are all busy: your turn in about {minutes} min",
    ),
    "kiosk.ticket.late": (
        "预计等候超过今日 {close} 下班时间，今天可能轮不到您；可改日再来，或问工作人员",
        "The expected wait runs past closing time ({close}): you may not be served today. "
        "Come back another day, or ask staff",
    ),
    "kiosk.reason.wait_past_closing": (
        "该事项今日等候已超过 {close} 下班时间，今日不再取号，请改日再来",
        "The wait for this matter runs past closing time ({close}): no more tickets today",
    ),
    "kiosk.print.fault.hold": (
        "本页面会保留，方便您记下号码",
        "This screen stays so you can note your number",
    ),
    "error.wait_past_closing": (
        "预计等候约 {minutes} 分钟，超过今日 {close} 下班时间，今日不再取号，请改日再来。",
        "The expected wait (about {minutes} min) runs past closing time ({close}); "
        "no more tickets for it today.",
    ),
    "alert.help": (
        "取号机 {subject}：访客请求帮助（{calls} 次）",
        "Kiosk {subject}: a visitor asks for help ({calls}×)",
    ),
    "staff.help.title": ("访客求助", "Visitors asking for help"),
    "staff.help.none": ("暂无求助。", "Nobody is asking for help."),
    "staff.help.row": (
        "取号机 {subject} · {since} 起 · {calls} 次",
        "Kiosk {subject} · since {since} · {calls}×",
    ),
    "staff.help.answer": ("已到场处理", "Answered"),
    # --- the phone status page ---------------------------------------------------------------
    "phone.title": ("排队进度", "Your place in the queue"),
    "phone.number": ("您的号码", "Your number"),
    "phone.waiting": ("等候中", "Waiting"),
    "phone.serving": ("正在 {window} 号窗口办理", "Being served at window {window}"),
    # what the phone says once the window is done with the ticket, by the clerk's outcome:
    # never 办结 for work that is not finished (a promise, materials still missing)
    "phone.done": ("已办结，感谢您的耐心等候", "Done. Thank you for your patience"),
    "phone.outcome.promised": (
        "已受理，承诺于 {month} 月 {day} 日前办结",
        "Accepted: it will be completed by {date}",
    ),
    "phone.outcome.promised_undated": (
        "已受理，将在承诺时限内办结",
        "Accepted: it will be completed within the promised time",
    ),
    "phone.outcome.incomplete": (
        "材料不全，请按一次性告知单补齐后再来",
        "Materials incomplete: please bring what the one-time notice lists and come back",
    ),
    "phone.outcome.consult": ("咨询已完成，感谢您的耐心等候", "Consultation given. Thank you"),
    "phone.tab.waiting": ("{number} 等候中 · 前面 {ahead} 人", "{number} waiting · {ahead} ahead"),
    "phone.tab.called": (
        "【叫号】{number} 请到 {window} 号窗口",
        "[CALLED] {number}: window {window}",
    ),
    "phone.tab.other": ("{number} · 排队进度", "{number} · your place in the queue"),
    "phone.sound.enable": ("开启叫号提示音", "Turn on the call sound"),
    "phone.sound.on": (
        "提示音已开启：叫到您时手机会响铃并振动",
        "Sound on: your phone rings and vibrates when you are called",
    ),
    "phone.sound.why": (
        "浏览器规定须先点一下才能响铃和振动；请保持本页打开（iPhone 不支持振动）",
        "Browsers ring and vibrate only after a tap; keep this page open (iPhones do not vibrate)",
    ),
    "phone.sound.none": ("本机浏览器不能播放提示音", "This browser cannot play the sound"),
    "phone.offline": ("网络中断，正在重新连接…", "Connection lost, reconnecting…"),
    "phone.no_show": (
        "叫号时您未到场，如仍需办理请重新取号",
        "You were called but not there; take a new ticket if you still need to",
    ),
    "phone.ended": ("这张号票已失效", "This ticket is no longer valid"),
    "phone.rate": ("请您对本次服务作出评价", "Please rate this service"),
    "phone.comment": ("意见建议（可不填）", "Comments (optional)"),
    "phone.thanks": ("感谢您的评价！", "Thank you for your rating!"),
    "phone.rated": ("您的评价：{label}", "Your rating: {label}"),
    "phone.refresh": ("本页自动刷新", "This page updates by itself"),
    "phone.unknown": ("找不到这张号票，请核对链接", "No such ticket; please check the link"),
    # --- take a ticket with the phone, the QR code on the wall (village points) ---------------
    "take.title": ("手机取号", "Take a number"),
    "take.choose": ("请点选您要办理的事项", "Tap the matter you came for"),
    "take.kind": ("取号类型", "Kind of ticket"),
    "take.none": (
        "今天暂无可以取号的事项，请咨询工作人员。",
        "No matter gives out tickets here today; please ask staff.",
    ),
    "take.note": (
        "取号后本页显示您的号码，并随叫号自动刷新。",
        "Once taken, your number shows on this phone and follows the calls.",
    ),
    "take.again": ("返回取号", "Back to take a number"),
    "take.bad_form": (
        "取号请求有误，请返回重新点选事项。",
        "The request was not understood; go back and tap your matter again.",
    ),
    "take.too_big": ("取号请求过大，已拒绝。", "The request is too large; refused."),
    "take.busy": (
        "系统繁忙，请稍候再试，或到窗口请工作人员取号。",
        "The system is busy; try again shortly, or ask at the window.",
    ),
    "take.another": (
        "这次点选已经取过号了，请返回后重新点选。",
        "That tap already took a ticket; go back and tap again.",
    ),
    "take.poster.title": ("扫码取号", "Scan to take a number"),
    "take.poster.how": (
        "用手机扫描二维码，点选办理事项即可取号，号码显示在手机上，叫号时自动提醒。",
        "Scan the code with your phone and tap your matter: your number shows on the phone and "
        "follows the calls.",
    ),
    "take.poster.print": (
        "用浏览器打印本页（Ctrl+P），贴在服务点墙上。",
        "Print this page from the browser (Ctrl+P) and put it on the wall.",
    ),
    "take.poster.link": ("扫码取号海报", "Scan-to-take poster"),
    "rating.5": ("非常满意", "Very satisfied"),
    "rating.4": ("满意", "Satisfied"),
    "rating.3": ("基本满意", "Fairly satisfied"),
    "rating.2": ("不满意", "Dissatisfied"),
    "rating.1": ("非常不满意", "Very dissatisfied"),
    # --- directions and the printed ticket ------------------------------------------------
    "announce.call": (
        "请 {number} 号到 {window} 号窗口办理",
        "Number {number}, please go to window {window}.",
    ),
    "announce.call_at": (
        "请 {number} 号到{place} {window} 号窗口办理",
        "Number {number}, please go to window {window}, {place}.",
    ),
    # floors are written one way everywhere (queues/text/directions.py): 二楼, "2nd floor"
    "where.floor": ("{n}楼", "{n} floor"),
    "where.basement": ("地下{n}层", "basement {n}"),
    "where.place": ("{floor}{zone}", "{zone}, {floor}"),
    "where.window": ("{windows} 号窗口", "window {windows}"),
    "where.windows": ("{windows} 号窗口", "windows {windows}"),
    "where.go": ("请到{floor}{zone} {windows}", "Please go to {windows}, {zone}, {floor}"),
    "print.your_number": ("您的号码", "Your number"),
    "print.ahead": ("前面还有 {ahead} 人", "{ahead} ahead of you"),
    "print.eta": ("预计等候约 {minutes} 分钟", "expected wait about {minutes} min"),
    "print.eta_now": ("请留意叫号", "you will be called shortly"),
    "print.first_step": ("第一步：{name}", "First step: {name}"),
    "print.eta_unknown": ("窗口开放后开始叫号", "Calling starts when the windows open"),
    "print.wait": ("{ahead}，{eta}", "{ahead}, {eta}"),
    "print.scan": ("扫码查看排队进度", "Scan to follow your turn"),
    "print.priority": ("优先办理", "Priority"),
    "print.green": ("重点项目绿色通道", "Key-project green channel"),
    "print.reprint": ("补打", "Reprint"),
    "print.keep": (
        "请保管好号票，过号请重新取号",
        "Keep this ticket; if you miss your call, take a new one",
    ),
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
    "outcome.done": ("即办件", "done on the spot"),
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
    "action.reprint": ("补打", "Reprint"),
    "action.rate": ("评价", "Rate"),
    "action.record": ("登记", "Record"),
    "action.undo_no_show": ("撤销过号", "undo the no-show"),
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
    "error.unknown_hall": (
        "没有编号为 {hall} 的大厅。",
        "There is no hall with the code {hall}.",
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
    "error.window_changed": (
        "{window} 号窗口的状态刚被他人改变，请刷新后再试。",
        "Window {window} was changed by someone else just now; look again and retry.",
    ),
    "error.not_overdue": (
        "{number} 号刚刚被呼叫，还未到自动过号的时间。",
        "Ticket {number} was called just now: it is not overdue for an automatic no-show.",
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
    "error.unknown_kiosk": (
        "大厅配置中没有取号机 {kiosk}。",
        "There is no kiosk {kiosk} in the hall file.",
    ),
    "error.kiosk_not_yours": (
        "只有取号机 {kiosk} 本身（已配对的浏览器或它的令牌）才能以它的名义取号。",
        "Only kiosk {kiosk} itself (its paired browser or its token) may take tickets in its name.",
    ),
    "error.pairing_code_invalid": (
        "配对码无效、已用过或已过期。请让管理员重新生成配对链接。",
        "The pairing code is unknown, used or expired. Ask an administrator for a new link.",
    ),
    "error.unknown_device": ("没有编号为 {device} 的已配对设备。", "No paired device {device}."),
    "error.store_unavailable": (
        "暂时无法连接数据库，请稍候再试。",
        "The database cannot be reached just now; please try again shortly.",
    ),
    "error.store_busy": (
        "系统繁忙，请几秒后再试。",
        "The system is busy; please try again in a few seconds.",
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
    "error.stream_unavailable": (
        "实时推送暂不可用，请改为轮询 /display/version，稍后再连接。",
        "The live stream is not available now: poll /display/version and connect again later.",
    ),
    "error.invalid_callback": (
        "页面发来的请求无效，已拒绝：{detail}。请刷新页面。",
        "The page's request was refused as invalid: {detail}. Reload the page.",
    ),
    "error.unauthenticated": (
        "需要有效的访问令牌（Authorization: Bearer …）。",
        "A valid token is needed (Authorization: Bearer …).",
    ),
    "error.cross_site": (
        "请求不是来自本系统的页面，已拒绝。请刷新页面后重试。",
        "Refused: the request did not come from a page of this server. "
        "Reload the page and try again.",
    ),
    "error.managers_only": (
        "此页面仅限管理人员使用（您的角色：{role}）。",
        "This page is for managers only (you are signed in as a {role}).",
    ),
    "error.forbidden": (
        "此令牌的角色（{role}）无权执行此操作。",
        "A token with the role {role} may not do this.",
    ),
    "error.window_not_yours": (
        "此令牌不能在 {window} 号窗口操作。",
        "This token may not act at window {window}.",
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
    "error.not_served": (
        "{number} 号尚未办结，办结后才能评价。",
        "Ticket {number} has not been served yet; rate it after the service.",
    ),
    "error.already_rated": (
        "{number} 号已经评价过了，谢谢。",
        "Ticket {number} has been rated already; thank you.",
    ),
    "error.invalid_score": ("评价须为 1 到 5。", "A rating is 1 to 5."),
    "error.backup": (
        "备份/恢复失败：{detail}（PostgreSQL 请用 pg_dump / pg_restore，见 docs/deploy.md）",
        "Backup or restore failed: {detail} (for PostgreSQL use pg_dump / pg_restore, "
        "see docs/deploy.md)",
    ),
    "error.unknown_token": (
        "没有编号或名称为 {token} 的有效令牌。",
        "No live token with the id or name {token}.",
    ),
    "error.unknown_rating": ("找不到这条评价。", "No such rating."),
    "error.unknown_session": (
        "这个会话已经结束或已过期。",
        "That session has ended or expired already.",
    ),
    "error.invalid_follow_up": (
        "回访状态须为 未处理、已联系 或 已解决。",
        "A follow-up is open, contacted or resolved.",
    ),
    "error.invalid_period": (
        "统计区间有误：{detail}",
        "The report period is wrong: {detail}",
    ),
    "error.no_printer": (
        "不知道用哪台打印机打印 {number} 号：请指定取号机。",
        "No printer is known for ticket {number}: name the kiosk.",
    ),
    "error.unknown_print_job": ("没有这个打印任务。", "No such print job."),
    "error.weak_password": (
        "密码至少 {length} 位。",
        "A password has at least {length} characters.",
    ),
    "error.invalid_user_name": ("用户名无效。", "That is not a valid user name."),
    "error.user_exists": ("用户 {name} 已存在。", "There is a user {name} already."),
    "error.not_your_hall": (
        "无权操作大厅 {hall} 的账号（您只管理本大厅的账号）。",
        "You may not make or change accounts of {hall} (you manage your own hall's only).",
    ),
    "error.network_kiosk": (
        "取号机令牌属于取号机所在的大厅，不能是全网令牌。",
        "A kiosk token belongs to the kiosk's hall; it cannot be a network token.",
    ),
    "error.hall_not_yours": (
        "此令牌属于大厅 {own}，不能在大厅 {hall} 使用。",
        "This token belongs to hall {own} and may not act in hall {hall}.",
    ),
    "error.unknown_user": ("没有用户 {name}。", "There is no user {name}."),
    "error.bad_credentials": ("用户名或密码错误。", "Wrong name or password."),
    "error.sign_in_locked": (
        "此账号在本设备上密码错误次数过多，请 {minutes} 分钟后再试；其他设备不受影响。",
        "Too many wrong passwords for this account from this device: try again in {minutes} "
        "minutes. Other devices are not affected.",
    ),
    "error.sign_in_address_locked": (
        "本设备登录失败次数过多，请 {minutes} 分钟后再试。",
        "Too many failed sign-ins from this device: try again in {minutes} minutes.",
    ),
    # --- appointments (预约) -------------------------------------------------------------------
    "booking.title": ("预约办事", "Book an appointment"),
    "booking.hall_title": ("{hall} · 预约", "{hall} · Booking"),
    "booking.step.matter": ("第一步：选择办理事项", "Step 1: choose the matter"),
    "booking.step.day": ("第二步：选择日期", "Step 2: choose a day"),
    "booking.step.slot": ("第三步：选择时段", "Step 3: choose a time"),
    "booking.step.person": ("第四步：填写姓名和手机号", "Step 4: your name and mobile number"),
    "booking.matter": ("办理事项", "Matter"),
    "booking.day": ("日期", "Day"),
    "booking.slot": ("时段", "Time"),
    "booking.left": ("余 {left} 个", "{left} left"),
    "booking.full": ("已约满", "Full"),
    "booking.day_left": ("共余 {left} 个名额", "{left} places left"),
    "booking.none": ("暂无可预约的事项。", "Nothing can be booked just now."),
    "booking.no_days": (
        "该事项近期没有可预约的日期，请直接到大厅取号。",
        "This matter has no days to book soon; take a number at the hall.",
    ),
    "booking.no_slots": (
        "这一天已约满，请选择其他日期。",
        "This day is fully booked; choose another day.",
    ),
    "booking.name": ("姓名", "Name"),
    "booking.phone": ("手机号码", "Mobile number"),
    "booking.id_number": (
        "身份证号（选填，可刷身份证签到）",
        "ID number (optional: sign in with the ID card)",
    ),
    "booking.submit": ("确认预约", "Book"),
    "booking.back": ("返回上一步", "Back"),
    "booking.restart": ("重新选择", "Start again"),
    "booking.done": ("预约成功", "Booked"),
    "booking.code": ("预约码", "Booking code"),
    "booking.code_note": (
        "请记下预约码或截图保存。到大厅后在取号机点“我有预约”，输入预约码或扫描二维码签到。",
        "Note the code or take a screenshot. At the hall, tap “I have a booking” on the kiosk and "
        "type the code or show the QR code.",
    ),
    "booking.when": ("{day} {start}–{end}", "{day} {start}–{end}"),
    "booking.check_in": (
        "签到时间：{start} 至 {end}。超过 {end} 未签到视为爽约。",
        "Check in from {start} until {end}. Not checked in by {end}: a missed appointment.",
    ),
    "booking.status": ("状态", "Status"),
    "booking.status.booked": ("已预约", "Booked"),
    "booking.status.checked_in": ("已签到", "Checked in"),
    "booking.status.cancelled": ("已取消", "Cancelled"),
    "booking.status.no_show": ("爽约", "Missed"),
    "booking.mine": ("查询、取消或改约", "Find, cancel or move a booking"),
    "booking.mine.code": ("预约码", "Booking code"),
    "booking.mine.find": ("查询", "Find"),
    "booking.cancel": ("取消预约", "Cancel the booking"),
    "booking.cancel.confirm": ("确认取消这次预约？", "Cancel this booking?"),
    "booking.cancelled": ("预约已取消。", "The booking is cancelled."),
    "booking.reschedule": ("改约到其他时段", "Move to another time"),
    "booking.rescheduled": ("已改约。", "Moved."),
    "booking.phone_hint": ("手机号", "Mobile"),
    "booking.privacy": (
        "您的姓名和手机号仅用于本次预约和短信提醒，不会在任何公开屏幕显示。",
        "Your name and number serve this booking and its texts only; no public screen shows them.",
    ),
    "booking.rule": (
        "30 天内爽约 {no_shows} 次或取消 {cancels} 次，或同一事项同一天预约超过 {per_day} 次，"
        "将暂停预约 {days} 天。",
        "{no_shows} missed appointments or {cancels} cancellations in 30 days, or more than "
        "{per_day} bookings of one matter on one day, stop booking for {days} days.",
    ),
    "booking.bad_form": (
        "预约请求有误，请返回重新填写。",
        "The request was not understood; go back and fill it in again.",
    ),
    "booking.busy": ("系统繁忙，请稍候再试。", "The system is busy; try again shortly."),
    "booking.bar.no_shows": (
        "30 天内 {limit} 次预约未按时签到",
        "{limit} missed appointments within 30 days",
    ),
    "booking.bar.cancels": ("30 天内取消预约 {limit} 次", "{limit} cancellations within 30 days"),
    "booking.bar.same_matter": (
        "同一事项同一天预约超过 {limit} 次",
        "more than {limit} bookings of one matter on one day",
    ),
    "screen.bookings": ("预约管理", "Bookings"),
    "screen.bookings.about": (
        "当天预约名单、各时段余量和预约限制",
        "The day's bookings, places left per slot, and booking bars",
    ),
    "screen.book": ("预约办事", "Book an appointment"),
    "bookings.title": ("预约管理", "Bookings"),
    "bookings.day": ("日期", "Day"),
    "bookings.service": ("事项", "Matter"),
    "bookings.all": ("全部", "All"),
    "bookings.list": ("预约名单", "Bookings"),
    "bookings.count": ("{count} 个预约", "{count} bookings"),
    "bookings.col.slot": ("时段", "Time"),
    "bookings.col.code": ("预约码", "Code"),
    "bookings.col.matter": ("事项", "Matter"),
    "bookings.col.name": ("姓名", "Name"),
    "bookings.col.phone": ("手机", "Mobile"),
    "bookings.col.status": ("状态", "Status"),
    "bookings.col.capacity": ("名额", "Places"),
    "bookings.col.booked": ("已约", "Booked"),
    "bookings.col.left": ("余量", "Left"),
    "bookings.capacity": ("各时段余量", "Places left per slot"),
    "bookings.bars": ("预约限制", "Booking bars"),
    "bookings.bars.none": ("目前没有预约限制。", "Nobody is barred from booking."),
    "bookings.col.person": ("手机", "Mobile"),
    "bookings.col.reason": ("原因", "Reason"),
    "bookings.col.until": ("截止", "Until"),
    "bookings.lift": ("解除", "Lift"),
    "bookings.lifted": ("已解除限制。", "The bar is lifted."),
    "bookings.none": ("这一天没有预约。", "No bookings on this day."),
    "bookings.link": ("本页链接", "Link to this view"),
    "error.unknown_booking": (
        "没有预约码为 {code} 的预约。",
        "There is no booking with the code {code}.",
    ),
    "error.not_bookable": ("事项 {name} 不接受预约。", "{name} cannot be booked."),
    "error.no_such_slot": (
        "事项 {name} 在 {slot} 没有可预约的时段。",
        "{name} has no slot to book at {slot}.",
    ),
    "error.slot_full": (
        "{slot} 的时段已约满，请选择其他时段。",
        "The slot at {slot} is full; choose another.",
    ),
    "error.booking_barred": (
        "因{why}，该手机号在 {until} 前不能预约。如有疑问请咨询大厅工作人员。",
        "This mobile number may not book until {until}: {why}. Ask the hall's staff if in doubt.",
    ),
    "error.invalid_mobile": (
        "手机号“{phone}”无效：请填 11 位中国大陆手机号。",
        "“{phone}” is not a mobile number: give an 11-digit mainland China mobile number.",
    ),
    "error.invalid_name": ("请填写姓名（1–50 个字）。", "Give a name (1–50 characters)."),
    "error.invalid_id_number": (
        "身份证号不正确（18 位，最后一位可为 X）。",
        "The ID number is not valid (18 characters, the last may be X).",
    ),
    "error.booking_not_active": (
        "预约 {code} {status}，不能再{action}。",
        "Booking {code} is {status}: it cannot be {action}.",
    ),
    "error.too_many_reschedules": (
        "预约 {code} 已改约 {count} 次，不能再改约；可取消后重新预约。",
        "Booking {code} was moved {count} times already; cancel it and book again instead.",
    ),
    "error.unknown_bar": ("没有编号为 {bar} 的预约限制。", "There is no booking bar {bar}."),
    "error.booking_lookups_locked": (
        "查询预约码错误次数过多，请 {minutes} 分钟后再试。",
        "Too many wrong booking codes from this device: try again in {minutes} minutes.",
    ),
    "booking.action.cancel": ("取消", "cancelled"),
    "booking.action.reschedule": ("改约", "moved"),
    "booking.action.check_in": ("签到", "checked in"),
    # --- text messages to visitors (短信通知) -----------------------------------------------
    "notify.booked": (
        "【{hall}】预约成功：{service}，{date} {time}，预约码 {code}。请按时到{place}取号。",
        "[{hall}] Booked: {service}, {date} {time}, code {code}. Please come on time to {place}.",
    ),
    "notify.remind": (
        "【{hall}】提醒：您预约了 {date} {time} 的{service}，预约码 {code}，"
        "请携带证件按时到{place}。",
        "[{hall}] Reminder: {service} on {date} at {time}, code {code}. "
        "Please bring your ID and come on time to {place}.",
    ),
    "notify.near": (
        "【{hall}】您的 {number} 号前面还有 {ahead} 人，请回到{place}候叫。",
        "[{hall}] {ahead} people ahead of ticket {number}. Please come back to {place}.",
    ),
    "notify.near_next": (
        "【{hall}】下一位就是您的 {number} 号，请回到{place}候叫。",
        "[{hall}] Ticket {number} is next. Please come back to {place}.",
    ),
    "notify.called": (
        "【{hall}】{number} 号已叫号，{where}办理。",
        "[{hall}] Ticket {number} is called. {where}.",
    ),
    "notify.form.title": ("到号提醒：留下手机号", "Text me when my turn is near"),
    "notify.form.about": (
        "前面还剩 {near} 人和叫到您时，发短信提醒。号码只用于本次提醒。",
        "We text you when {near} people are left ahead of you, and when you are called. "
        "The number is used for these texts only.",
    ),
    "notify.form.phone": ("手机号", "Mobile number"),
    "notify.form.submit": ("提醒我", "Text me"),
    "notify.form.done": (
        "已登记，将发短信到 {phone}。",
        "Done: texts will go to {phone}.",
    ),
    "notify.form.change": ("换一个号码", "Use another number"),
    "staff.notify": ("短信通知", "Text messages"),
    "staff.notify.channels": ("发送不出的通道", "Channels failing to send"),
    "staff.notify.channel_row": (
        "{channel}：{count} 条等待重发",
        "{channel}: {count} waiting to be sent again",
    ),
    "staff.notify.channel_default": ("默认通道", "the default channel"),
    "staff.notify.none_failing": ("短信通道正常。", "Text channels are working."),
    "staff.notify.failed": ("今天发送失败的短信", "Texts that failed today"),
    "staff.notify.no_failed": ("今天没有发送失败的短信。", "No text failed today."),
    "staff.col.kind": ("类型", "Kind"),
    "staff.col.phone": ("手机号", "Phone"),
    "staff.col.attempts": ("尝试次数", "Attempts"),
    "notify.kind.booked": ("预约成功", "booking"),
    "notify.kind.remind": ("预约提醒", "reminder"),
    "notify.kind.near": ("即将到号", "turn near"),
    "notify.kind.called": ("叫号", "called"),
    "error.notify_off": ("本大厅不发送短信提醒。", "This hall sends no text messages."),
    "error.notify_too_late": (
        "{number} 号已不在等候，无需提醒。",
        "Ticket {number} is no longer waiting: there is nothing to text.",
    ),
    "error.notify_changes_spent": (
        "{number} 号的提醒手机号已更换 {changes} 次，不能再换。",
        "The number for ticket {number} was changed {changes} times: it cannot be changed again.",
    ),
    "weekdays.mon-fri": ("周一至周五", "Mon–Fri"),
    "weekday.mon": ("周一", "Mon"),
    "weekday.tue": ("周二", "Tue"),
    "weekday.wed": ("周三", "Wed"),
    "weekday.thu": ("周四", "Thu"),
    "weekday.fri": ("周五", "Fri"),
    "weekday.sat": ("周六", "Sat"),
    "weekday.sun": ("周日", "Sun"),
    "list.separator": ("、", ", "),
    # --- webhooks (issue 13) -------------------------------------------------------------------
    "screen.webhooks": ("推送接口", "Webhooks"),
    "screen.webhooks.about": (
        "把大厅的事件签名推送给其他系统",
        "The hall's events, signed, sent to other systems",
    ),
    "webhook.title": ("推送接口（Webhook）", "Webhooks"),
    "webhook.lead": (
        "登记的地址会收到所选事件的 JSON，用密钥做 HMAC-SHA256 签名；失败会自动重试。",
        "Each registered address receives the chosen events as JSON, signed with HMAC-SHA256 "
        "with its secret; failures are tried again.",
    ),
    "webhook.list": ("已登记的地址", "Endpoints"),
    "webhook.log": ("推送记录", "Delivery log"),
    "webhook.log_of": ("地址 {id} 的推送记录（最新在前）", "Endpoint {id}, newest first"),
    "webhook.pick": ("点“记录”查看一个地址的推送。", "Press Log to see an endpoint's deliveries."),
    "webhook.register": ("登记新地址", "Register an endpoint"),
    "webhook.register.button": ("登记", "Register"),
    "webhook.url": ("地址（http:// 或 https://）", "Address (http:// or https://)"),
    "webhook.events": ("推送的事件", "Events"),
    "webhook.secret": ("密钥（可不填）", "Secret (optional)"),
    "webhook.secret.hint": (
        "16–200 个字符；不填则自动生成。",
        "16-200 characters; leave empty to have one made.",
    ),
    "webhook.secret.once": (
        "请立即保存密钥，它只显示这一次：",
        "Keep this secret now; it is shown this once:",
    ),
    "webhook.registered": ("已登记地址 {id}。", "Endpoint {id} registered."),
    "webhook.deactivated": ("地址 {id} 已停用。", "Endpoint {id} deactivated."),
    "webhook.replayed": ("推送 {id} 将重新发送。", "Delivery {id} will be sent again."),
    "webhook.no_hooks": ("还没有登记地址。", "No endpoint registered yet."),
    "webhook.no_deliveries": ("还没有推送。", "Nothing delivered yet."),
    "webhook.none": ("—", "—"),
    "webhook.active": ("启用", "Active"),
    "webhook.inactive": ("已停用", "Deactivated"),
    "webhook.show_log": ("记录", "Log"),
    "webhook.deactivate": ("停用", "Deactivate"),
    "webhook.replay": ("重发", "Replay"),
    "webhook.status.pending": ("待发送", "Pending"),
    "webhook.status.sending": ("发送中", "Sending"),
    "webhook.status.delivered": ("已送达", "Delivered"),
    "webhook.status.failed": ("失败", "Failed"),
    "webhook.type.issued": ("取号", "Issued"),
    "webhook.type.called": ("叫号", "Called"),
    "webhook.type.recalled": ("重呼", "Recalled"),
    "webhook.type.transferred": ("转办", "Transferred"),
    "webhook.type.finished": ("办结", "Finished"),
    "webhook.type.no_show": ("过号", "No-show"),
    "webhook.type.rated": ("评价", "Rated"),
    "webhook.type.booked": ("预约", "Booked"),
    "webhook.type.checked_in": ("预约签到", "Checked in"),
    "webhook.col.id": ("编号", "No."),
    "webhook.col.url": ("地址", "Address"),
    "webhook.col.events": ("事件", "Events"),
    "webhook.col.state": ("状态", "State"),
    "webhook.col.last": ("最近一次推送", "Newest delivery"),
    "webhook.col.pending": ("待发", "Waiting"),
    "webhook.col.failed": ("失败", "Failed"),
    "webhook.col.actions": ("操作", "Actions"),
    "webhook.col.type": ("事件", "Event"),
    "webhook.col.created": ("时间", "Time"),
    "webhook.col.status": ("状态", "Status"),
    "webhook.col.attempts": ("尝试次数", "Tries"),
    "webhook.col.answer": ("对方应答", "Answer"),
    "error.invalid_webhook_url": (
        "地址无效：{url}（须以 http:// 或 https:// 开头，不超过 500 个字符，不含用户名和密码）。",
        "Not a valid address: {url} (it must start with http:// or https://, be at most 500 "
        "characters and carry no user name or password).",
    ),
    "error.webhook_url_refused": (
        "不能推送到 {url}：{address} 是本机或内部网络的地址，或无法解析。",
        "Cannot deliver to {url}: {address} is an address of this machine or an internal "
        "network, or does not resolve.",
    ),
    "error.webhook_events_required": ("请至少选择一种事件。", "Choose at least one event."),
    "error.unknown_webhook_event": ("没有这种事件：{event}", "No such event type: {event}"),
    "error.webhook_secret_length": (
        "密钥须为 {least}–{most} 个字符（留空则自动生成）。",
        "The secret must be {least}-{most} characters (leave it empty to have one made).",
    ),
    "error.unknown_webhook": ("没有这个推送地址：{webhook}", "No such webhook: {webhook}"),
    "error.unknown_delivery": ("没有这次推送：{delivery}", "No such delivery: {delivery}"),
    "error.webhook_inactive": (
        "推送地址 {webhook} 已停用，不能重发。",
        "Webhook {webhook} is deactivated: nothing can be sent to it again.",
    ),
    "error.delivery_not_failed": (
        "推送 {delivery} 的状态是 {status}，只有失败的推送可以重发。",
        "Delivery {delivery} is {status}: only a failed delivery can be sent again.",
    ),
    # --- checkin: a booking checked in at the kiosk (queues.checkin, pages/kiosk) ------------
    "error.invalid_check_in_key": (
        "请输入 8 位预约码，或 18 位身份证号。",
        "Enter the 8-character booking code or the 18-character ID number.",
    ),
    "error.no_booking_for_id_number": (
        "这个身份证号今天没有预约。请核对，或输入预约码，或找工作人员。",
        "No booking today for this ID number. Check it, type the booking code, or ask the staff.",
    ),
    "error.booking_cancelled": (
        "预约 {code} 已取消，请直接取号。",
        "Booking {code} was cancelled. Please take a ticket.",
    ),
    "error.already_checked_in": (
        "预约 {code} 已经签到过了，号票是 {number}。",
        "Booking {code} is already checked in: ticket {number}.",
    ),
    "error.booking_not_today": (
        "预约 {code} 是 {day} 的，不是今天的。",
        "Booking {code} is for {day}, not today.",
    ),
    "error.check_in_not_yet": (
        "您预约的是 {slot}，{opens} 起可以签到。",
        "Your booking is at {slot}. Check-in opens at {opens}.",
    ),
    "checkin.start": ("我有预约", "I have a booking"),
    "checkin.start.hint": ("预约签到", "Check in"),
    "checkin.title": ("预约签到", "Check in for your booking"),
    "checkin.prompt": (
        "请输入预约码，或刷身份证",
        "Type your booking code, or place your ID card on the reader",
    ),
    "checkin.or_scan": (
        "也可以把预约二维码对准扫码口",
        "Or hold the booking QR code to the scanner",
    ),
    "checkin.delete": ("删除", "Delete"),
    "checkin.clear": ("清空", "Clear"),
    "checkin.ok": ("确定", "OK"),
    "checkin.back": ("返回", "Back"),
    "checkin.checking": ("正在查找预约…", "Finding your booking…"),
    "checkin.booked": ("预约号", "Booked ticket"),
    "checkin.done": ("签到成功", "You are checked in"),
    "checkin.turn_at": (
        "您的号从 {time} 开始排，请稍候",
        "Your turn starts at {time}. Please wait",
    ),
    "checkin.kept": ("已按预约时段 {time} 排队", "In line from your booked time, {time}"),
    "checkin.late": (
        "您来晚了，已过预约时间，按现场取号排队",
        "You came after your booking's time: you queue as a walk-in",
    ),
    "checkin.slip": ("预约 {code} · {time}", "Booking {code} · {time}"),
    # --- checkin: booking figures on the reports page (queues.read.booking_figures) ----------
    "checkin.report.heading": ("预约", "Bookings"),
    "checkin.report.service": ("事项", "Matter"),
    "checkin.report.slot": ("时段", "Slot"),
    "checkin.report.bookings": ("预约数", "Bookings"),
    "checkin.report.checked_in": ("签到数", "Checked in"),
    "report.col.check_in_rate": ("签到率", "Check-in rate"),
    "checkin.report.no_shows": ("爽约", "No-shows"),
    "checkin.report.cancelled": ("取消", "Cancelled"),
    "checkin.report.wait_booked": ("预约平均等候（分）", "Booked mean wait (min)"),
    "checkin.report.wait_walk_in": ("现场平均等候（分）", "Walk-in mean wait (min)"),
    "checkin.report.total": ("合计", "Total"),
    "checkin.report.none": ("这段时间没有预约。", "No bookings in this period."),
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


def other_lang(lang: str) -> Lang:
    """The language a one-tap switch goes to: English from zh-CN, zh-CN from English."""
    return "zh" if lang == "en" else "en"


PAUSE_REASONS = ("break", "meeting", "training", "fetching", "other")
"""The reasons a clerk picks on the console; stored in Chinese words (the API takes any text)."""


def pause_reason(text: str, lang: str) -> str:
    """A stored pause reason in the reader's language: the console's own reasons are put into
    ``lang``; a reason typed through the API is shown as it was written."""
    for key in PAUSE_REASONS:
        if text == t(f"counter.reason.{key}", "zh"):
            return t(f"counter.reason.{key}", lang)
    return text


def window_state(state: str, reason: str | None, lang: str) -> str:
    """A window's state for people: 服务中, or 暂停服务（休息） with the reason of a pause."""
    words = t(f"window.{state}", lang)
    if state == "paused" and reason:
        words += t("window.reason", lang, reason=pause_reason(reason, lang))
    return words


def listing(items: Iterable[str], lang: str) -> str:
    """Words in a row: 周二、周四 or "Tue, Thu"."""
    return t("list.separator", lang).join(items)


def weekdays(days: list[str], lang: str) -> str:
    if list(days) == ["mon", "tue", "wed", "thu", "fri"]:
        return t("weekdays.mon-fri", lang)
    return listing((t(f"weekday.{d}", lang) for d in days), lang)
