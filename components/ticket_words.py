"""How a ticket is put into words on a screen (the kiosk, the phone page)."""

from __future__ import annotations

from queues.answers import TicketView
from queues.hall.config import HallConfig
from queues.text.i18n import t


def chosen_service(cfg: HallConfig, ticket: TicketView, lang: str) -> str:
    """The matter the visitor chose (not the desk they go to first)."""
    chosen = cfg.service(ticket.requested_service)
    if chosen is not None:
        return chosen.name(lang)
    return ticket.service_name_en if lang == "en" else ticket.service_name_zh


def expected_wait(ticket: TicketView, lang: str) -> str:
    if ticket.eta_minutes is None:
        return t("kiosk.ticket.eta_none", lang)
    if ticket.eta_minutes == 0:
        return t("kiosk.ticket.eta_now", lang)
    return t("kiosk.ticket.eta", lang, minutes=ticket.eta_minutes)
