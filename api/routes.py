"""The endpoints of API.md: each a few lines around one use case (queues.services and its
neighbours) or one read (queues.read)."""

from __future__ import annotations

from dataclasses import asdict

from api.http import STAFF, Api, ApiError, Call
from api.schemas import (
    CallOut,
    CallRequest,
    ClaimRequest,
    DisplayOut,
    DisplayQuery,
    FiguresOut,
    FinishRequest,
    HallList,
    IssueRequest,
    LayoutOut,
    PairingOut,
    PauseRequest,
    PrintJobList,
    PrintJobOut,
    PrintResultOut,
    PrintResultRequest,
    QueueOut,
    RatingRequest,
    ReprintOut,
    ReprintRequest,
    ServiceList,
    ServiceOut,
    StatsOut,
    StatsQuery,
    TicketOut,
    TransferRequest,
    VersionOut,
    WindowList,
    WindowOut,
    WindowStatsOut,
    ZoneStatsOut,
)
from queues import answers, errors, printjobs, services
from queues.access import devices
from queues.access.requesters import Requester
from queues.read import boards, counters, overview, tickets
from queues.text import slip
from web import current, memo

api = Api(prefix="/api/v1", title="hallq", version="1")

TICKET = "/tickets/<ticket_id>"
WINDOW = "/windows/<int:window_id>"


@api.route(
    "GET",
    "/halls",
    summary="The halls this server serves",
    tag="network",
    ok=(200, HallList),
    network=True,
)
def list_halls(call: Call) -> HallList:
    """Every hall of the network: its code, names, level (district, town or village) and the
    hall it belongs to. Each hall's endpoints are those of this document under
    `/api/v1/halls/<code>/` (`/api/v1/halls/town/tickets`), its pages under `/h/<code>/`; the
    paths without a hall code answer for the default hall."""
    return HallList.of(current.network())


@api.route(
    "GET", "/services", summary="The services a kiosk offers", tag="kiosk", ok=(200, ServiceList)
)
def list_services(call: Call) -> ServiceList:
    """Every service with its queue now, the expected wait for a ticket taken now, and whether a
    ticket can be taken now (`open`; `reason` says why not)."""
    return ServiceList([ServiceOut.of(s) for s in boards.service_board(call.ctx)])


@api.route(
    "POST",
    "/tickets",
    summary="Take a ticket",
    tag="kiosk",
    body=IssueRequest,
    ok=(201, TicketOut),
    extra_ok=((200, TicketOut, "The same request_id again: the first ticket"),),
    optional_auth=True,
    errors=(403, 409, 429),
)
def issue_ticket(call: Call) -> tuple[int, TicketOut]:
    """Issue a numbered ticket. The green channel needs a staff token or a valid key-project
    code. A kiosk token issues at its own kiosk (whose printer prints the slip, under the kiosk's
    own limit); only that kiosk's token or an admin's may name a `kiosk`. Without a token, one
    address may take `HALLQ_ISSUE_LIMIT` tickets a minute. A `request_id` names a ticket only
    among the asker's own. 409 outside opening hours or on a day the hall does not offer the
    service, and `wait_past_closing` when the expected wait runs past closing time and the hall
    file's `rules.late_wait` is `refuse` (a staff token's ticket is issued all the same)."""
    body: IssueRequest = call.body
    issued = services.issue(
        call.ctx,
        body.service,
        body.priority,
        by=_requester(call, body.kiosk),
        request_id=body.request_id,
        project_code=body.project_code,
    )
    return (201 if issued.created else 200), TicketOut.of(issued.ticket, call.ctx.tz)


def _requester(call: Call, kiosk: str | None) -> Requester:
    """Who asks, from the credentials alone: a kiosk is named only by its own token (or an
    administrator's); a visitor is known by the address."""
    who = call.who
    if who is None:
        if kiosk is not None:
            raise ApiError(401, "unauthenticated", call.lang)
        return Requester.visitor(call.client)
    if who.role == "kiosk":
        if kiosk is not None and kiosk != who.name:
            raise errors.KioskNotYours(kiosk=kiosk)
        return Requester.at_kiosk(who.name, call.client)
    if kiosk is not None and who.role != "admin":
        raise errors.KioskNotYours(kiosk=kiosk)
    return Requester.staff(who.actor, call.client, kiosk)


@api.route(
    "GET", TICKET, summary="Follow a ticket", tag="kiosk", ok=(200, TicketOut), errors=(404,)
)
def get_ticket(call: Call, ticket_id: str) -> TicketOut:
    """The ticket, with the people ahead and the expected wait while it waits."""
    return TicketOut.of(tickets.ticket(call.ctx, ticket_id), call.ctx.tz)


@api.route(
    "GET",
    "/display",
    summary="What a wallboard shows",
    tag="display",
    query=DisplayQuery,
    ok=(200, DisplayOut),
    errors=(404,),
    extra_ok=((304, None, "The board has not changed since the `ETag` sent in `If-None-Match`"),),
    conditional=True,
)
def display(call: Call) -> DisplayOut:
    """The board version (poll it; redraw only when it moved), the latest calls newest first,
    and each service's queue and expected wait; `?zone=` for one zone. The answer carries an
    `ETag`: a device that polls this alone sends it back in `If-None-Match` and gets 304 and no
    body while the board is unchanged."""
    zone = call.query.zone
    version = boards.version(call.ctx, zone)  # 404 for a zone the hall lacks
    return memo.once(call.ctx, f"api-display:{zone}:{version}", lambda: _display(call, zone))


def _display(call: Call, zone: str | None) -> DisplayOut:
    """Drawn once per board version and process: 300 screens that see the version move ask
    within the same second."""
    board = boards.board(call.ctx, zone)
    tz = call.ctx.tz
    return DisplayOut(
        version=board.version,
        calling=[
            CallOut(number=c.number, window=c.window, called_at=c.called_at.astimezone(tz))
            for c in board.calling
        ],
        queues=[
            QueueOut(service=q.service, waiting=q.waiting, eta_minutes=q.eta_minutes)
            for q in board.queues
        ],
    )


@api.route(
    "GET",
    "/display/version",
    summary="Has the board changed?",
    tag="display",
    query=DisplayQuery,
    ok=(200, VersionOut),
    errors=(404,),
)
def display_version(call: Call) -> VersionOut:
    """The board version alone, for screens that poll every second and redraw only when it
    moves (the cheap half of `GET /api/v1/display`)."""
    return VersionOut(version=boards.version(call.ctx, call.query.zone))


@api.route(
    "GET",
    "/windows",
    summary="Every window and its state",
    tag="windows",
    roles=STAFF,
    ok=(200, WindowList),
)
def list_windows(call: Call) -> WindowList:
    """Each window's department, zone, services, state and the ticket it holds."""
    return WindowList([WindowOut.of(w, call.ctx.tz) for w in counters.windows(call.ctx)])


def _ticket_or_none(call: Call, view: answers.TicketView | None) -> TicketOut | None:
    return TicketOut.of(view, call.ctx.tz) if view is not None else None


@api.route(
    "POST",
    f"{WINDOW}/call-next",
    summary="Call the next ticket",
    tag="windows",
    roles=STAFF,
    ok=(200, TicketOut),
    extra_ok=((204, None, "Nothing waits for this window"),),
    errors=(404, 409),
)
def call_next(call: Call, window_id: int) -> TicketOut | None:
    """Call the best waiting ticket to the window (green channel, then priority, then the
    longest weighted wait). 409 while the window is closed or paused, or still holds a ticket."""
    return _ticket_or_none(call, services.call_next(call.ctx, window_id, call.actor))


@api.route(
    "POST",
    f"{WINDOW}/call",
    summary="Call a given ticket (特呼)",
    tag="windows",
    roles=STAFF,
    body=CallRequest,
    ok=(200, TicketOut),
    errors=(404, 409),
)
def call_ticket(call: Call, window_id: int) -> TicketOut:
    """Call one ticket waiting for this window out of turn, by its `number` (or its id). 404
    for a number no ticket in line has; 409 while the window is closed, paused or holds a
    ticket, and for a ticket that is not waiting (`not_waiting`, `called_elsewhere`: another
    window called it first) or waits for what this window does not serve
    (`not_for_this_window`, `sent_to_another_window`); 422 for text that is not a number."""
    body: CallRequest = call.body
    number = body.number
    if number is None:
        number = tickets.ticket(call.ctx, body.ticket).number
    view = services.call_number(call.ctx, window_id, call.actor, number)
    return TicketOut.of(view, call.ctx.tz)


@api.route(
    "POST",
    f"{WINDOW}/undo-no-show",
    summary="Take back a no-show just made",
    tag="windows",
    roles=STAFF,
    ok=(200, TicketOut),
    errors=(404, 409),
)
def undo_no_show(call: Call, window_id: int) -> TicketOut:
    """Take back the no-show this token made at the window in the last few seconds
    (`NO_SHOW_UNDO_SECONDS`, 10): the ticket is called to the window again. 409
    (`nothing_to_undo`) once that time has passed, or while the window holds another ticket."""
    return TicketOut.of(services.undo_no_show(call.ctx, window_id, call.actor), call.ctx.tz)


@api.route(
    "POST",
    f"{WINDOW}/recall",
    summary="Call the current ticket again",
    tag="windows",
    roles=STAFF,
    ok=(200, TicketOut),
    errors=(404, 409),
)
def recall(call: Call, window_id: int) -> TicketOut:
    """Show and announce the window's called ticket once more."""
    return TicketOut.of(services.recall(call.ctx, window_id, call.actor), call.ctx.tz)


@api.route(
    "POST",
    f"{WINDOW}/start",
    summary="The visitor arrived",
    tag="windows",
    roles=STAFF,
    ok=(200, TicketOut),
    errors=(404, 409),
)
def start(call: Call, window_id: int) -> TicketOut:
    """Service of the called ticket begins."""
    return TicketOut.of(services.start(call.ctx, window_id, call.actor), call.ctx.tz)


@api.route(
    "POST",
    f"{WINDOW}/finish",
    summary="Finish the service",
    tag="windows",
    roles=STAFF,
    body=FinishRequest,
    ok=(200, TicketOut),
    errors=(404, 409),
)
def finish(call: Call, window_id: int) -> TicketOut:
    """End the service (from called or serving) with its outcome; `promised` needs a date."""
    body: FinishRequest = call.body
    view = services.finish(call.ctx, window_id, call.actor, body.outcome, body.promised_date)
    return TicketOut.of(view, call.ctx.tz)


@api.route(
    "POST",
    f"{WINDOW}/no-show",
    summary="The visitor did not come",
    tag="windows",
    roles=STAFF,
    ok=(200, TicketOut),
    errors=(404, 409),
)
def no_show(call: Call, window_id: int) -> TicketOut:
    """Mark the called ticket as a no-show."""
    return TicketOut.of(services.no_show(call.ctx, window_id, call.actor), call.ctx.tz)


@api.route(
    "POST",
    f"{WINDOW}/transfer",
    summary="Send the ticket on",
    tag="windows",
    roles=STAFF,
    body=TransferRequest,
    ok=(200, TicketOut),
    errors=(404, 409),
)
def transfer(call: Call, window_id: int) -> TicketOut:
    """Transfer the current ticket to a service or to one window; it keeps its issue time, so
    its place in the next line."""
    body: TransferRequest = call.body
    view = services.transfer(
        call.ctx, window_id, call.actor, service=body.service, window=body.window
    )
    return TicketOut.of(view, call.ctx.tz)


@api.route(
    "POST",
    f"{WINDOW}/pause",
    summary="Pause the window",
    tag="windows",
    roles=STAFF,
    body=PauseRequest,
    ok=(200, WindowOut),
    errors=(404, 409),
)
def pause(call: Call, window_id: int) -> WindowOut:
    """Stop calling at the window, with a reason."""
    body: PauseRequest = call.body
    return WindowOut.of(services.pause(call.ctx, window_id, call.actor, body.reason), call.ctx.tz)


@api.route(
    "POST",
    f"{WINDOW}/resume",
    summary="Open the window",
    tag="windows",
    roles=STAFF,
    ok=(200, WindowOut),
    errors=(404, 409),
)
def resume(call: Call, window_id: int) -> WindowOut:
    """Open the window, from paused or from closed (every window starts the day closed)."""
    return WindowOut.of(services.resume(call.ctx, window_id, call.actor), call.ctx.tz)


@api.route(
    "POST",
    f"{WINDOW}/close",
    summary="Close the window for the day",
    tag="windows",
    roles=STAFF,
    ok=(200, WindowOut),
    errors=(404, 409),
)
def close(call: Call, window_id: int) -> WindowOut:
    """Close the window; it must not hold a ticket."""
    return WindowOut.of(services.close(call.ctx, window_id, call.actor), call.ctx.tz)


@api.route(
    "POST",
    f"{TICKET}/rating",
    summary="Rate the service",
    tag="kiosk",
    body=RatingRequest,
    ok=(200, TicketOut),
    errors=(404, 409),
)
def rate(call: Call, ticket_id: str) -> TicketOut:
    """The visitor's rating once the service is done, once per ticket (好差评, five levels).
    The two lowest are flagged for follow-up."""
    body: RatingRequest = call.body
    return TicketOut.of(services.rate(call.ctx, ticket_id, body.score, body.comment), call.ctx.tz)


@api.route(
    "POST",
    f"{TICKET}/reprint",
    summary="Print the ticket again",
    tag="kiosk",
    roles=STAFF,
    body=ReprintRequest,
    ok=(202, ReprintOut),
    errors=(404, 409),
)
def reprint(call: Call, ticket_id: str) -> ReprintOut:
    """Queue a new print of a waiting ticket at its kiosk (or the one named)."""
    body: ReprintRequest = call.body
    return ReprintOut(job=printjobs.reprint(call.ctx, ticket_id, call.actor, body.kiosk))


@api.route(
    "POST",
    "/kiosks/<kiosk>/pairing",
    summary="Pair a browser as a kiosk",
    tag="kiosk",
    roles=("kiosk", "admin"),
    ok=(201, PairingOut),
    errors=(404,),
)
def pair_kiosk(call: Call, kiosk: str) -> tuple[int, PairingOut]:
    """A one-time link that makes the browser that opens it this kiosk (its tickets print on
    the kiosk's printer, under the kiosk's own limit). An admin token pairs any kiosk, a kiosk
    token its own. The link works once, for a quarter of an hour."""
    assert call.who is not None
    if call.who.role == "kiosk" and call.who.name != kiosk:
        raise errors.KioskNotYours(kiosk=kiosk)
    pairing = devices.pairing_code(call.ctx, kiosk, call.actor)
    base = call.ctx.config.hall.public_url or call.base_url  # the hall's own, /h/<hall>
    return 201, PairingOut(
        kiosk=pairing.kiosk,
        code=pairing.code,
        url=f"{base.rstrip('/')}{devices.PAIR_PATH}{pairing.code}",
        expires_at=pairing.expires_at.astimezone(call.ctx.tz),
    )


@api.route(
    "POST",
    "/print-jobs/claim",
    summary="Take a kiosk's print jobs",
    tag="printing",
    roles=("kiosk", "admin"),
    body=ClaimRequest,
    ok=(200, PrintJobList),
)
def claim_print_jobs(call: Call) -> PrintJobList:
    """For a kiosk's print agent: the jobs due at its kiosk, each with the slip to print. A job
    taken and never answered is offered again after a minute. A kiosk token takes its own
    kiosk's jobs (the token's name); an admin token names the kiosk."""
    body: ClaimRequest = call.body
    assert call.who is not None
    kiosk = body.kiosk or call.who.name
    if call.who.role == "kiosk" and kiosk != call.who.name:
        raise ApiError(403, "forbidden", call.lang, role=call.who.role)
    cfg = call.ctx.config
    k = cfg.kiosk(kiosk)
    paper, mode, cutter = (k.paper, k.mode, k.cutter) if k else (80, "text", True)
    status_check = k.status_check if k else True
    jobs = []
    for task in printjobs.claim(call.ctx, call.actor, kiosks=[kiosk], limit=body.limit):
        try:
            layout = slip.build(
                task.ticket,
                cfg,
                base_url=cfg.hall.public_url or call.base_url,
                paper=paper,
                kiosk=kiosk,
                reprint=task.reprint,
                now=call.ctx.now() if task.reprint else None,
                booked=task.booked,
            )
        except Exception as exc:  # this job's slip cannot be made: the others still go out
            reason = slip.unprintable(task.ticket.number, exc)
            printjobs.failed(
                call.ctx, task.job_id, call.actor, reason, code="unprintable", own=True
            )
            continue
        jobs.append(
            PrintJobOut(
                id=task.job_id,
                reprint=task.reprint,
                attempt=task.attempts,
                mode=mode,
                cutter=cutter,
                status_check=status_check,
                ticket=TicketOut.of(task.ticket, call.ctx.tz),
                layout=LayoutOut.model_validate(asdict(layout)),
            )
        )
    return PrintJobList(jobs=jobs)


@api.route(
    "POST",
    "/print-jobs/<int:job_id>/result",
    summary="Report a print",
    tag="printing",
    roles=("kiosk", "admin"),
    body=PrintResultRequest,
    ok=(200, PrintResultOut),
    errors=(404,),
)
def print_result(call: Call, job_id: int) -> PrintResultOut:
    """The agent says whether the job printed; a failure is offered again later (2 s, 4 s, …
    at most a minute). Reporting the same job twice changes nothing. A kiosk token reports its
    own kiosk's jobs only (another kiosk's job is 404, and its printer's state is not touched)."""
    body: PrintResultRequest = call.body
    assert call.who is not None
    own = call.who.name if call.who.role == "kiosk" else None
    if body.printed:
        printjobs.succeeded(call.ctx, job_id, call.actor, paper=body.paper, kiosk=own)
        return PrintResultOut(id=job_id, status="done")
    error = body.error or "the agent gave no reason"
    retry = printjobs.failed(
        call.ctx,
        job_id,
        call.actor,
        error,
        code=body.fault,
        own=body.fault == "unprintable",
        paper=body.paper,
        kiosk=own,
    )
    if retry is None:
        return PrintResultOut(id=job_id, status=printjobs.status(call.ctx, job_id))  # type: ignore[arg-type]
    return PrintResultOut(
        id=job_id, status="pending", next_attempt_at=retry.astimezone(call.ctx.tz)
    )


@api.route(
    "GET",
    "/stats/today",
    summary="Today's figures",
    tag="statistics",
    roles=("manager", "admin"),
    query=StatsQuery,
    ok=(200, StatsOut),
    errors=(404,),
)
def stats_today(call: Call) -> StatsOut:
    """Today's KPIs for the hall (or `?zone=`): issued, handled, finished, waiting, no-shows,
    mean and p90 wait, mean service time, share within target and late, ratings; per zone and per
    window. Definitions in `docs/metrics.md`."""
    zone = call.query.zone
    if zone is not None and call.ctx.config.zone(zone) is None:
        raise errors.UnknownZone(zone=zone)
    today = overview.today(call.ctx, zone)
    now = today.now
    return StatsOut(
        **FiguresOut.of(today.hall).model_dump(),
        day=today.day,
        waiting=now.waiting,
        waiting_late=now.waiting_late,
        longest_wait_minutes=None if now.longest_wait is None else round(now.longest_wait, 1),
        windows_open=now.windows_open,
        windows_total=now.windows_total,
        zones=[
            ZoneStatsOut(
                **FiguresOut.of(f).model_dump(),
                zone=code,
                waiting=now.waiting_by_zone.get(code, 0),
            )
            for code, f in today.zones.items()
            if zone is None or code == zone
        ],
        windows=[WindowStatsOut.of_line(w) for w in today.windows],
    )
