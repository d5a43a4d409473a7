"""The page shell: a top bar whose links are those of the signed-in user's role, the user menu
(account, sign out) and, on small screens, a menu button opening the same links in a drawer."""

from __future__ import annotations

import reflex as rx

from trainer.web import routes
from trainer.web.components.native_form import native_form
from trainer.web.state import AppState

# (label, href, icon, the AppState flag that shows it or None for everyone)
NAV = (
    ("Conversations", routes.CONVERSATIONS, "messages-square", "nav_conversations"),
    ("Scorecards", routes.SCORECARD, "bar-chart-3", "nav_scorecards"),
    ("Queue", routes.QUEUE, "list-checks", "nav_queue"),
    ("Agreement", routes.AGREEMENT, "scale", "nav_agreement"),
    ("Calibration", routes.CALIBRATION, "crosshair", "nav_calibration"),
    ("Coaching", routes.COACHING, "handshake", "nav_coaching"),
    ("Practice", routes.PRACTICE, "graduation-cap", None),
    ("Onboarding", routes.ONBOARDING, "route", "nav_onboarding"),
    ("Admin", routes.ADMIN_USERS, "users", "nav_admin"),
    ("Audit", routes.ADMIN_AUDIT, "scroll-text", "nav_audit"),
)
DESKTOP = rx.breakpoints(initial="none", md="flex")
MOBILE = rx.breakpoints(initial="flex", md="none")


def testid(name: str | rx.Var) -> dict:
    """The `custom_attrs` that give a component a stable `data-testid` for browser tests."""
    return {"data-testid": name}


def _shown(flag: str | None, component: rx.Component) -> rx.Component:
    return component if flag is None else rx.cond(getattr(AppState, flag), component)


def nav_link(label: str, href: str, icon: str, prefix: str = "nav") -> rx.Component:
    """A navigation link (`data-testid` nav-<label>, or drawer-<label> in the drawer)."""
    return rx.link(
        rx.hstack(rx.icon(icon, size=16), rx.text(label, size="3", weight="medium"), spacing="2"),
        href=href,
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        custom_attrs=testid(f"{prefix}-{label.lower()}"),
        padding_y="0.35rem",
    )


def logout_form(full_width: bool = False) -> rx.Component:
    """Sign out: a plain form post, so the server clears the HttpOnly cookie."""
    return native_form(
        rx.button(
            rx.icon("log-out", size=14),
            "Sign out",
            type="submit",
            variant="soft",
            color_scheme="gray",
            width="100%" if full_width else "auto",
            custom_attrs=testid("logout"),
        ),
        action=routes.LOGOUT_POST,
        width="100%" if full_width else "auto",
    )


def user_menu() -> rx.Component:
    """The signed-in user's name and role; opens to their account page and sign out."""
    return rx.popover.root(
        rx.popover.trigger(
            rx.button(
                rx.icon("circle-user", size=18),
                rx.text(AppState.user_name, display=DESKTOP, custom_attrs=testid("user-name")),
                variant="ghost",
                color_scheme="gray",
                aria_label="Account menu",
                custom_attrs=testid("user-menu"),
            )
        ),
        rx.popover.content(
            rx.vstack(
                rx.text(AppState.user_name, weight="bold", size="2"),
                rx.text(AppState.user_email, size="1", color_scheme="gray"),
                rx.badge(AppState.role_label, variant="soft", custom_attrs=testid("user-role")),
                rx.separator(size="4"),
                rx.link(
                    rx.hstack(rx.icon("key-round", size=14), rx.text("Account and password")),
                    href=routes.ACCOUNT,
                    size="2",
                    custom_attrs=testid("account-link"),
                ),
                logout_form(full_width=True),
                spacing="2",
                align="start",
                min_width="14rem",
            ),
            align="end",
        ),
    )


def mobile_nav() -> rx.Component:
    """The menu button of small screens, opening the role's links in a panel."""
    return rx.box(
        rx.popover.root(
            rx.popover.trigger(
                rx.icon_button(
                    rx.icon("menu", size=20),
                    variant="ghost",
                    color_scheme="gray",
                    aria_label="Open the menu",
                    custom_attrs=testid("nav-menu"),
                ),
            ),
            rx.popover.content(
                rx.vstack(
                    *[
                        _shown(flag, nav_link(label, href, icon, prefix="drawer"))
                        for label, href, icon, flag in NAV
                    ],
                    rx.separator(size="4"),
                    rx.text(AppState.user_name, " · ", AppState.role_label, size="2"),
                    rx.link("Account and password", href=routes.ACCOUNT, size="2"),
                    logout_form(full_width=True),
                    spacing="3",
                    align="start",
                    width="min(16rem, 80vw)",
                ),
                side="bottom",
                align="start",
                custom_attrs=testid("nav-drawer"),
            ),
        ),
        display=MOBILE,
    )


def navbar() -> rx.Component:
    """The top bar: product name, the role's sections and the user menu."""
    return rx.box(
        rx.hstack(
            mobile_nav(),
            rx.link(
                rx.hstack(
                    rx.icon("headset", size=22, color=rx.color("accent", 9)),
                    rx.heading("Trainer", size="5", weight="bold"),
                    rx.text("QA", size="2", color_scheme="gray"),
                    spacing="2",
                    align="center",
                ),
                href=routes.HOME,
                underline="none",
                color_scheme="gray",
                high_contrast=True,
            ),
            rx.spacer(),
            rx.hstack(
                *[_shown(flag, nav_link(label, href, icon)) for label, href, icon, flag in NAV],
                spacing="5",
                align="center",
                display=DESKTOP,
            ),
            rx.cond(AppState.signed_in, user_menu()),
            spacing="4",
            align="center",
            max_width="1400px",
            margin_x="auto",
            padding_x="1rem",
            height="56px",
        ),
        as_="nav",
        id="navbar",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        background_color=rx.color("gray", 1),
        position="sticky",
        top="0",
        z_index="10",
        width="100%",
    )


def page(*children: rx.Component, testid_name: str) -> rx.Component:
    """A signed-in page: the top bar, then the content in a centred column. Nothing of the
    content shows until the login check has passed."""
    return rx.box(
        navbar(),
        rx.box(
            rx.cond(
                AppState.signed_in,
                rx.fragment(*children),
                rx.center(rx.spinner(size="3"), padding="3rem"),
            ),
            as_="main",
            max_width="1400px",
            margin_x="auto",
            padding_x=rx.breakpoints(initial="0.75rem", sm="1.5rem"),
            padding_y="1.5rem",
            custom_attrs=testid(testid_name),
        ),
        min_height="100vh",
        background_color=rx.color("gray", 2),
    )
