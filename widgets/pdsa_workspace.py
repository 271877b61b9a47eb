"""The PDSA tracker's team workspaces: which project file is open, and its access code.

A team can open its own workspace: its own project file next to the shared
one (:func:`phcpm.pdsa.team_store_path`), so on a shared server each team sees
its own projects. Switching workspace is refused while the PDSA cycle form
holds text that is not saved, and the message says why. A team can protect its
workspace with an access code (kept only as a scrypt hash in the workspace's
file: :func:`phcpm.pdsa.hash_access_code`).
"""

from __future__ import annotations

import html

import ipywidgets as w

from phcpm import pdsa
from phcpm.errors import InputError
from widgets.pdsa_controls import NEW_CYCLE, button, fold, labelled, tagged
from widgets.pdsa_measures import NEW_MEASURE

__all__ = ["UNSAVED_MESSAGE", "TeamWorkspaces"]

#: Shown when the cycle form holds unsaved text and the user asks for another workspace.
UNSAVED_MESSAGE = "The PDSA cycle form has text that is not saved"


class TeamWorkspaces:
    """The workspace part of :class:`widgets.pdsa.PdsaTracker` (its controls and actions)."""

    def _build_workspace(self, team: str) -> None:
        hint = "your team's name, or empty for the shared workspace"
        self.team = labelled(w.Text, "Team workspace", "team", "30em", value=team, placeholder=hint)
        self.code = labelled(
            w.Password, "Access code", "code", "22em", placeholder="only if your team chose one"
        )
        self.team_button = button("Open", css="team-open")
        self.new_code = labelled(w.Password, "New access code", "new-code", "26em")
        self.new_code_again = labelled(w.Password, "The new code again", "new-code-again", "26em")
        self.current_code = labelled(
            w.Password,
            "Current code (to change it)",
            "current-code",
            "26em",
            placeholder="empty the first time",
        )
        self.code_button = button("Protect the workspace with this code", css="set-code")
        self.workspace_text = tagged(w.HTML(""), "workspace")

    def _protect_fold(self) -> w.Accordion:
        """The closed section where a team chooses or changes its access code."""
        return fold(
            "Protect this team workspace with an access code",
            w.HTML(
                "<p>Choose a code the team will share (at least "
                f"{pdsa.ACCESS_CODE_MIN} characters). From then on this team "
                "workspace opens only with the code. Nobody can read the code back, "
                "so write it where the team keeps such things.</p>"
            ),
            self.new_code,
            self.new_code_again,
            self.current_code,
            self.code_button,
        )

    def _show_workspace(self) -> None:
        self.body.layout.display = "none" if self.locked else ""
        if self.locked:
            self.workspace_text.value = (
                f"<p><b>The team workspace '{html.escape(self.locked)}' is protected by an "
                "access code.</b> Type the code next to the team's name and click "
                "<b>Open</b>; its projects are shown once it is open.</p>"
            )
        elif self.workspace:
            guard = (
                "It is protected by the team's access code."
                if self.store.has_access_code()
                else "Anyone on this server who types the same team name sees them; the team "
                "can protect them with an access code (below)."
            )
            self.workspace_text.value = (
                f"<p><b>Workspace open:</b> {html.escape(self.workspace)} (team workspace). "
                f"The projects below are this team's; other teams do not see them. {guard} "
                "The page address now names the team: bookmark it to come back here.</p>"
            )
        else:
            self.workspace_text.value = (
                "<p><b>Workspace open:</b> shared (no team name). Everyone on this server who "
                "leaves the team name empty sees the projects below.</p>"
            )

    def unsaved_cycle_fields(self) -> list[str]:
        """Names of the cycle form's boxes whose text differs from what is saved.

        For a new cycle: every box that is not empty. For a saved cycle: every
        box that differs from the saved version (spaces at either end ignored).
        The box of text kept after a clash with someone else's save counts too
        while it holds text.
        """
        saved = None
        if self.cycle.value not in (NEW_CYCLE, None):
            saved = self.store.get_cycle(self.cycle.value)
        changed = [
            pdsa.FIELD_WORDS[f] for f in pdsa.changed_cycle_fields(self._form_cycle(), saved)
        ]
        if self.kept.value.strip():
            changed.append(self.kept.description)
        return changed

    def unsaved_text(self) -> list[str]:
        """Every box holding typed text that is not saved: the cycle form, the pasted values
        and the measure form."""
        try:
            changed = self.unsaved_cycle_fields()
        except InputError:  # the cycle was removed from under us: treat the form as unsaved
            changed = ["PDSA cycle form"]
        if self.paste.value.strip():
            changed.append("Pasted values")
        return changed + self.unsaved_measure_text()

    def _update_guard(self) -> None:
        """Ask before the page is left while typed text is not saved; say so next to Save."""
        unsaved = self.unsaved_text()
        self.guard.unsaved = bool(unsaved)
        cycle = [u for u in unsaved if u != "Pasted values" and u != NEW_MEASURE]
        self.cycle_status.value = (
            f"<span class='phcpm-unsaved'>Not saved yet: {html.escape(', '.join(cycle))}</span>"
            if cycle
            else ""
        )

    def open_workspace(self, team: str | None = None) -> str:
        """Open the workspace of the team named in the box (or ``team``); empty: the shared one.

        Refused, with the form left as it is, while the PDSA cycle form holds
        unsaved text, and when the workspace has an access code and the code
        box does not hold it (what was typed stays). Returns the workspace name
        (empty for the shared one).
        """
        if team is not None:
            self.team.value = team
        name = self.team.value.strip()
        path = pdsa.team_store_path(name, self.shared_path)
        slug = pdsa.team_slug(name) if name else ""
        unsaved = self.unsaved_cycle_fields() if not self.locked else []
        if unsaved:
            if self.cycle.value in (NEW_CYCLE, None):
                drop = "empty those boxes if you do not need the text"
            else:
                drop = "click 'Reload the cycle' to drop your changes"
            if self.kept.value.strip():
                drop += f"; copy what you need from '{self.kept.description}' and empty that box"
            raise InputError(
                f"{UNSAVED_MESSAGE} ({', '.join(repr(u) for u in unsaved)}), so the workspace "
                "was not changed",
                where="PDSA cycles tab",
                todo=f"Click 'Save the cycle' first, or {drop}. Then click 'Open' again",
            )
        if path != self.store.path or self.locked:
            store = pdsa.ProjectStore(path, clock=self._clock)
            try:
                store.check_access_code(self.code.value)
            except InputError:
                store.close()
                if not self._started:
                    # nothing of another workspace is on screen: wait here for the code
                    self.locked = name
                    self._show_workspace()
                raise
            if store.path != self.store.path:
                old, self.store = self.store, store
                old.close()
            else:
                store.close()
        self.locked = ""
        self.code.value = ""
        self.workspace = slug
        self.guard.address = {"team": name}
        self.kept.layout.display = "none"
        self._set_options(self.cycle, [(NEW_CYCLE, NEW_CYCLE)], NEW_CYCLE)
        self._set_options(self.project, [], None)
        self._show_workspace()
        self._refresh_projects()
        count = len(self.project.options)
        projects = f"{count} project{'s' if count != 1 else ''}"
        if slug:
            self._note(f"The workspace '{slug}' is open: {projects}.")
        else:
            self._note(f"The shared workspace is open: {projects}.")
        return slug

    def set_access_code(self) -> None:
        """Protect the open team workspace with the code typed twice (or change its code)."""
        if not self.workspace or self.locked:
            raise InputError(
                "The shared workspace cannot have an access code",
                todo="Type your team's name at the top and click 'Open' first; then protect "
                "that team workspace",
            )
        if self.new_code.value != self.new_code_again.value:
            raise InputError(
                "The two new codes are not the same",
                todo="Type the same code in both boxes",
            )
        had = self.store.has_access_code()
        self.store.set_access_code(self.new_code.value, current=self.current_code.value)
        self.new_code.value = self.new_code_again.value = self.current_code.value = ""
        self._show_workspace()
        self._note(
            "The access code was changed."
            if had
            else "The workspace is now protected: from now on it opens only with the code."
        )
