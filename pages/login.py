"""Staff sign-in: name and password, then on to the clerk's window or where they were going."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from components.screens import lang_switch
from queues import errors
from queues.access import staff
from queues.inputs import Lang, Password, Text, UserName
from queues.text.i18n import t
from web import auth, boundary
from web.current import context, lang_of, path

boundary.accepts(
    {
        "login-lang.data": Lang,
        "login-name.value": UserName | None,
        "login-password.value": Password | None,
        "login-next.data": Text | None,
    }
)

dash.register_page(
    __name__,
    path="/login",
    title=t("screen.login"),
    screen_order=90,
    title_key="screen.login",
    about_key="screen.login.about",
)


def layout(lang: str | None = None, next: str | None = None, **_: str) -> dbc.Container:
    lang = lang_of(lang)
    cfg = context().config
    user = auth.current_user()
    if user is not None:
        body: list[Any] = [
            html.P(t("login.signed_in", lang, name=user.display_name), id="login-who"),
            dbc.Button(
                t("login.continue", lang),
                href=auth.after_sign_in(user, next),
                color="primary",
                className="me-2",
                external_link=True,
            ),
            dbc.Button(
                t("login.sign_out", lang),
                href=path("/logout"),
                color="secondary",
                external_link=True,
                id="login-sign-out",
            ),
        ]
    else:
        body = [
            dbc.Label(t("login.name", lang), html_for="login-name"),
            dbc.Input(
                id="login-name",
                autoComplete="username",
                autoFocus=True,
                className="mb-3",
                size="lg",
            ),
            dbc.Label(t("login.password", lang), html_for="login-password"),
            dbc.Input(
                id="login-password",
                type="password",
                autoComplete="current-password",
                className="mb-3",
                size="lg",
            ),
            dbc.Button(
                t("login.submit", lang),
                id="login-submit",
                color="primary",
                size="lg",
                className="w-100",
                n_clicks=0,
            ),
            html.Div(id="login-message", className="text-danger mt-3 fw-bold"),
        ]
    return dbc.Container(
        [
            dcc.Location(id="login-go", refresh=True),
            dcc.Store(id="login-next", data=auth.safe_next(next)),
            dcc.Store(id="login-lang", data=lang),
            html.Div(
                [
                    html.Span(cfg.hall.name(lang), className="text-muted"),
                    lang_switch("/login", lang),
                ],
                className="d-flex justify-content-between align-items-center pt-4",
            ),
            dbc.Card(
                dbc.CardBody([html.H1(t("login.title", lang), className="h3 mb-4"), *body]),
                className="mt-4 shadow-sm",
            ),
        ],
        className="hallq-login",
        style={"maxWidth": "480px"},
    )


@callback(
    Output("login-go", "href"),
    Output("login-message", "children"),
    Input("login-submit", "n_clicks"),
    Input("login-password", "n_submit"),
    State("login-name", "value"),
    State("login-password", "value"),
    State("login-next", "data"),
    State("login-lang", "data"),
    prevent_initial_call=True,
)
def submit(
    _: int, __: int | None, name: str | None, password: str | None, target: str | None, lang: str
) -> tuple[Any, str]:
    """Check the name and password on the server; a good pair opens a session.

    ``target`` comes back from the browser, so it is checked again: a post can say anything.
    """
    try:
        signed_in = staff.sign_in(
            context(), name or "", password or "", auth.client_address(), auth.user_agent()
        )
    except (errors.BadCredentials, errors.SignInLocked) as exc:
        return no_update, exc.message(lang)
    except errors.HallqError:
        return no_update, t("login.unavailable", lang)
    auth.sign_in(signed_in)
    return auth.after_sign_in(signed_in.user, target), ""
