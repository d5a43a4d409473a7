"""`/admin/import`: add people from a CSV (name, email, role, team). Every refused row is listed
with its line number and why; the other rows are added. HR may add trainees and agents, admins
anyone."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import reflex as rx

from trainer.db.session import session_scope
from trainer.services import accounts
from trainer.web.admin.common import admin_page
from trainer.web.components import data_table, testid
from trainer.web.state import AppState, user_message

UPLOAD_ID = "staff-csv"
MAX_CSV_BYTES = 2 * 1024 * 1024


@dataclasses.dataclass
class RefusedRow:
    """A CSV line that was not imported, and why."""

    line: int = 0
    reason: str = ""


class ImportState(AppState):
    """The outcome of the last import."""

    added: list[str] = []
    refused: list[RefusedRow] = []
    file_name: str = ""
    done: bool = False
    busy: bool = False
    error: str = ""
    notice: str = ""

    @rx.event
    def on_load(self):
        """Start with no report."""
        self.added, self.refused, self.file_name = [], [], ""
        self.done = self.busy = False
        self.error = self.notice = ""

    @rx.event
    async def import_csv(self, files: list[rx.UploadFile]):
        """Import the uploaded CSV and report what was added and what was refused."""
        actor = self.actor()
        if actor is None:
            yield self.to_login()
            return
        self.added, self.refused, self.done = [], [], False
        self.error = self.notice = ""
        if not files:
            self.error = "Choose a CSV file to import."
            return
        upload = files[0]
        name = Path(getattr(upload, "name", None) or upload.filename or "staff.csv").name
        data = await upload.read()
        if len(data) > MAX_CSV_BYTES:
            self.error = "The file is too big for a staff list (2 MB at most)."
            return
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            self.error = f"{name} is not a UTF-8 text file. Save it as CSV (UTF-8) and try again."
            return
        self.busy, self.file_name = True, name
        yield
        try:
            with session_scope() as session:
                report = accounts.import_staff(session, actor, text, name)
        except Exception as exc:  # noqa: BLE001 - shown as a message, never a traceback
            self.busy, self.error = False, user_message(exc)
            return
        self.busy, self.done = False, True
        self.added = list(report.added)
        self.refused = [RefusedRow(line, reason) for line, reason in report.errors]
        people = "person" if len(self.added) == 1 else "people"
        self.notice = f"{len(self.added)} {people} added from {name}."


def _refused(row: rx.Var[RefusedRow]) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.text("Line ", row.line, custom_attrs=testid("refused-line"))),
        rx.table.cell(rx.text(row.reason, custom_attrs=testid("refused-reason"))),
        custom_attrs={"data-testid": "refused-row", "data-line": row.line},
    )


def import_page() -> rx.Component:
    """The `/admin/import` page."""
    s = ImportState
    return admin_page(
        "Staff import",
        "Staff import",
        rx.card(
            rx.vstack(
                rx.text(
                    "A CSV file with the header ",
                    rx.code("name,email,role,team"),
                    ". Role is trainee or agent (admins: any role); team may list several "
                    "separated by ",
                    rx.code(";"),
                    ". Nobody already stored is changed.",
                    size="2",
                ),
                rx.upload.root(
                    rx.button(
                        rx.icon("upload", size=14),
                        "Choose a CSV file",
                        variant="soft",
                        type="button",
                        loading=s.busy,
                    ),
                    id=UPLOAD_ID,
                    accept={"text/csv": [".csv"], "text/plain": [".csv", ".txt"]},
                    max_files=1,
                    multiple=False,
                    no_keyboard=True,
                    on_drop=ImportState.import_csv(rx.upload_files(upload_id=UPLOAD_ID)),
                    custom_attrs=testid("staff-upload"),
                ),
                spacing="3",
            ),
            margin_bottom="1rem",
        ),
        rx.cond(
            s.done,
            rx.vstack(
                rx.cond(
                    s.added.length() > 0,
                    rx.text(
                        "Added: ",
                        rx.foreach(s.added, lambda n: rx.badge(n, variant="soft", margin="2px")),
                        size="2",
                        custom_attrs=testid("import-added"),
                    ),
                ),
                rx.cond(
                    s.refused.length() > 0,
                    rx.vstack(
                        rx.heading(
                            s.refused.length(), " rows refused", size="4", color_scheme="tomato"
                        ),
                        data_table(
                            ["Line", "Why"],
                            rx.foreach(s.refused, _refused),
                            table_id="refused-table",
                        ),
                        width="100%",
                    ),
                    rx.text("No row was refused.", size="2", color_scheme="gray"),
                ),
                width="100%",
                spacing="3",
            ),
        ),
        error=s.error,
        notice=s.notice,
        testid_name="admin-import-page",
    )
