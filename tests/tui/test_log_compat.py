"""A log written before refusal reasons were kept in every language still verifies and resumes:
its one-language reason is the same refusal as the re-run's."""

from __future__ import annotations

from drill.engine.commands import Command
from drill.log import read_log
from drill.session import first_difference, resimulate


def test_a_log_from_before_reasons_in_every_language_still_verifies(live):
    """A refusal logged with one string (the console's language then) matches the re-run's
    reason in every language: old logs still verify and resume."""
    app = live(at=30)
    app.session.apply(Command(action="escalate", to="cerd"))
    app.session.close()
    log = read_log(app.session.log_path)
    old = [
        e._replace(data={**e.data, "reason": e.data["reason"]["vi"]}) if e.kind == "command_refused" else e
        for e in log.events
    ]
    again = resimulate(app.scenario, log.header["seed"], old)
    assert first_difference(old, again.events) is None
    wrong = [
        e._replace(data={**e.data, "reason": "something else"}) if e.kind == "command_refused" else e
        for e in old
    ]
    assert first_difference(wrong, again.events) is not None
