"""The webhook endpoints of API.md ("Webhooks"): a hall's managers (and the network's) register
endpoints, read each one's delivery log and replay a failed delivery (:mod:`queues.webhooks`)."""

from __future__ import annotations

from api.http import Call
from api.routes import api
from api.schemas import (
    DeliveriesQuery,
    DeliveryList,
    DeliveryOut,
    WebhookCreatedOut,
    WebhookList,
    WebhookOut,
    WebhookRequest,
)
from queues import webhooks

MANAGERS = ("manager", "admin")
HOOK = "/webhooks/<int:webhook_id>"


@api.route(
    "GET",
    "/webhooks",
    summary="The hall's webhooks",
    tag="webhooks",
    roles=MANAGERS,
    ok=(200, WebhookList),
)
def list_webhooks(call: Call) -> WebhookList:
    """Every endpoint of the hall, newest first, with its newest delivery's state and how many
    wait or have failed. The secret is never shown again."""
    tz = call.ctx.tz
    return WebhookList(webhooks=[WebhookOut.of(h, tz) for h in webhooks.hooks(call.ctx)])


@api.route(
    "POST",
    "/webhooks",
    summary="Register a webhook",
    tag="webhooks",
    roles=MANAGERS,
    body=WebhookRequest,
    ok=(201, WebhookCreatedOut),
)
def create_webhook(call: Call) -> tuple[int, WebhookCreatedOut]:
    """Each event of the chosen types is POSTed to `url` as `{"id", "type", "occurred_at",
    "hall", "data"}` with `X-Hallq-Event`, `X-Hallq-Timestamp` and `X-Hallq-Signature:
    sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>`; anything but 2xx is
    tried again with growing pauses (docs/webhooks.md). The answer carries the secret, this
    once."""
    body: WebhookRequest = call.body
    made = webhooks.register(call.ctx, body.url, body.events, call.actor, secret=body.secret)
    out = WebhookOut.of(made.hook, call.ctx.tz)
    return 201, WebhookCreatedOut(**out.model_dump(), secret=made.secret)


@api.route(
    "DELETE",
    HOOK,
    summary="Deactivate a webhook",
    tag="webhooks",
    roles=MANAGERS,
    ok=(200, WebhookOut),
    errors=(404,),
)
def delete_webhook(call: Call, webhook_id: int) -> WebhookOut:
    """It takes no more events; deliveries still waiting for it are failed. Its log stays
    readable. Deactivating it again changes nothing."""
    return WebhookOut.of(webhooks.deactivate(call.ctx, webhook_id, call.actor), call.ctx.tz)


@api.route(
    "GET",
    HOOK + "/deliveries",
    summary="A webhook's delivery log",
    tag="webhooks",
    roles=MANAGERS,
    query=DeliveriesQuery,
    ok=(200, DeliveryList),
    errors=(404,),
)
def list_deliveries(call: Call, webhook_id: int) -> DeliveryList:
    """The endpoint's deliveries, newest first: state, tries, the receiver's last status or
    error, and the exact body sent."""
    q: DeliveriesQuery = call.query
    found = webhooks.deliveries(call.ctx, webhook_id, status=q.status, limit=q.limit)
    return DeliveryList(deliveries=[DeliveryOut.of(d, call.ctx.tz) for d in found])


@api.route(
    "POST",
    HOOK + "/deliveries/<int:delivery_id>/replay",
    summary="Send a failed delivery again",
    tag="webhooks",
    roles=MANAGERS,
    ok=(202, DeliveryOut),
    errors=(404, 409),
)
def replay_delivery(call: Call, webhook_id: int, delivery_id: int) -> tuple[int, DeliveryOut]:
    """The same body (the same event `id`: receivers deduplicate on it) goes out again, from
    the first try's pause. 409 unless the delivery failed, or when the webhook is
    deactivated."""
    view = webhooks.replay(call.ctx, webhook_id, delivery_id, call.actor)
    return 202, DeliveryOut.of(view, call.ctx.tz)
