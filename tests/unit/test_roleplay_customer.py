"""The simulated customer: deterministic, moved by empathy and inflamed by dismissal, reveals facts
when asked properly, pushes back on vague promises, and ends on resolution, leaving or a limit."""

import pytest
import yaml

from trainer.errors import ScenarioError
from trainer.roleplay.attempt import Attempt, run_script
from trainer.roleplay.loader import SCENARIOS_DIR, find_scenario, parse_scenario

GOOD = [
    "Hi Dana, this is Sam at Northwind. I'm so sorry, that's really frustrating. "
    "Could I have your full name and the order number, please?",
    "Thanks, Dana. I can see two charges of $94.00. The second one is a duplicate.",
    "I've refunded the duplicate charge. You'll see it within 3-5 business days, "
    "and you'll get a confirmation email today.",
    "Is there anything else I can help with?",
    "Have a great day, Dana!",
]


@pytest.fixture(scope="module")
def dana():
    return find_scenario("double-charge")


def transcript(attempt):
    return [(t.speaker, t.text) for t in attempt.turns]


def test_roleplay_customer_same_replies_and_seed_give_the_same_attempt(dana):
    first, second = (run_script(dana, GOOD, seed=3) for _ in range(2))
    assert first.as_json() == second.as_json()


def test_roleplay_customer_seeds_vary_the_lines_not_the_outcome(dana):
    results = [run_script(dana, GOOD, seed=seed) for seed in range(8)]
    assert len({tuple(t.text for t in r.conversation.turns) for r in results}) > 1
    assert {r.outcome for r in results} == {"resolved"}
    assert {r.score for r in results} == {results[0].score} or all(r.passed for r in results)


def test_roleplay_customer_empathy_calms_and_dismissal_inflames(dana):
    calm = Attempt(dana)
    turn = calm.reply("I'm so sorry, Dana. I can hear how frustrating this is.")
    assert turn.mood < 7
    assert {r.rule for r in turn.reactions} >= {"acknowledged", "apologised"}
    angry = Attempt(dana)
    turn = angry.reply("Calm down. That's the policy.")
    assert turn.mood == 9
    assert any(r.rule == "dismissive" and r.mood > 0 for r in turn.reactions)
    assert not angry.ended


def test_roleplay_customer_leaves_when_mood_reaches_ten(dana):
    attempt = Attempt(dana)
    attempt.reply("Calm down.")
    turn = attempt.reply("Like I said, it's not a big deal.")
    assert turn.mood == 10 and turn.ended and attempt.outcome == "customer_left"
    assert "Goodbye" in turn.text
    with pytest.raises(ScenarioError, match="has ended"):
        attempt.reply("Hello?")


def test_roleplay_customer_reveals_facts_only_when_asked_for_them(dana):
    attempt = Attempt(dana)
    turn = attempt.reply("I'll check your order number later.")
    assert "3348917502" not in turn.text and not turn.progress.revealed
    turn = attempt.reply("Could you tell me your name and the order number, please?")
    assert set(turn.progress.revealed) == {"name", "order_number"}
    assert "Dana Ruiz" in turn.text and "3348917502" in turn.text
    assert "verified-identity" in turn.progress.met


def test_roleplay_customer_refund_does_not_count_before_verification(dana):
    attempt = Attempt(dana)
    turn = attempt.reply("I've refunded the duplicate charge.")
    assert "refunded" not in turn.progress.met


def test_roleplay_customer_pushes_back_on_vague_promises(dana):
    attempt = Attempt(dana)
    attempt.reply("I'm so sorry, Dana, that's really frustrating.")
    turn = attempt.reply("Someone will get back to you soon.")
    assert any(r.rule == "vague_promise" for r in turn.reactions)
    assert "when" in turn.text.lower()


def test_roleplay_customer_asks_what_jargon_means(dana):
    attempt = Attempt(dana)
    attempt.reply("I'm so sorry, Dana, that's really frustrating.")
    turn = attempt.reply("It's an authorization hold from the ACH reconciliation.")
    assert any(r.rule == "jargon" for r in turn.reactions)
    assert "mean" in turn.text or "plain English" in turn.text


def test_roleplay_customer_answers_blame_and_ignored_feelings(dana):
    turn = Attempt(dana).reply("What's the problem?")
    assert [r.rule for r in turn.reactions if r.mood > 0] == ["ignored_feelings"]
    turn = Attempt(dana).reply("You should have checked your order before paying.")
    assert "blame" in [r.rule for r in turn.reactions if r.mood > 0]


def test_roleplay_customer_runs_out_of_patience_on_unhelpful_replies(dana):
    attempt = Attempt(dana)
    attempt.reply("I'm so sorry, Dana, that's really frustrating.")
    moods = [attempt.reply("Okay.").mood for _ in range(3)]
    assert moods[-1] > moods[0]
    assert attempt.log[-1]["reactions"][-1]["rule"] == "stalled"


def test_roleplay_customer_wraps_up_after_resolution_until_a_goodbye(dana):
    attempt = Attempt(dana)
    for reply in GOOD[:3]:
        turn = attempt.reply(reply)
    assert turn.kind == "satisfied" and attempt.state.status == "wrapping_up"
    assert "thank you" in turn.text.lower()
    turn = attempt.reply(GOOD[3])
    assert turn.kind == "wrap_up" and not attempt.ended
    turn = attempt.reply(GOOD[4])
    assert turn.kind == "farewell" and attempt.outcome == "resolved"


def test_roleplay_customer_ends_at_the_turn_limit():
    data = yaml.safe_load((SCENARIOS_DIR / "double-charge.yaml").read_text())
    data["max_turns"] = 3
    scenario = parse_scenario(data, "limited.yaml")
    attempt = Attempt(scenario)
    attempt.reply("I'm so sorry, Dana, that's really frustrating.")
    attempt.reply("Thanks for waiting.")
    turn = attempt.reply("Thanks again for waiting.")
    assert turn.ended and attempt.outcome == "turn_limit"


def test_roleplay_customer_refuses_facts_when_too_upset():
    data = yaml.safe_load((SCENARIOS_DIR / "double-charge.yaml").read_text())
    data["facts"][1]["max_mood"] = 6
    scenario = parse_scenario(data, "guarded.yaml")
    attempt = Attempt(scenario)
    turn = attempt.reply("What's the order number?")
    assert turn.progress.refused == ("order_number",) and "3348917502" not in turn.text


def test_roleplay_customer_max_mood_keeps_an_upset_customer_from_being_satisfied():
    data = yaml.safe_load((SCENARIOS_DIR / "double-charge.yaml").read_text())
    data["resolution"]["max_mood"] = 0
    attempt = Attempt(parse_scenario(data, "strict.yaml"))
    for reply in GOOD[:3]:
        turn = attempt.reply(reply)
    assert len(attempt.state.met) == 6 and turn.mood > 0
    assert attempt.state.status == "open" and turn.kind == "answer"


def test_roleplay_customer_snapshot_restores_to_the_same_attempt(dana):
    whole = Attempt(dana, seed=5)
    part = Attempt(dana, seed=5)
    for reply in GOOD[:2]:
        whole.reply(reply)
        part.reply(reply)
    resumed = Attempt.restore(dana, part.snapshot())
    for reply in GOOD[2:]:
        whole.reply(reply)
        resumed.reply(reply)
    assert transcript(resumed) == transcript(whole)
    assert resumed.mood == whole.mood and resumed.outcome == whole.outcome == "resolved"
    assert resumed.finish().as_json() == whole.finish().as_json()


def test_roleplay_customer_restore_refuses_another_scenario(dana):
    snapshot = Attempt(dana).snapshot()
    with pytest.raises(ScenarioError, match="does not belong"):
        Attempt.restore(find_scenario("late-delivery"), snapshot)


def test_roleplay_customer_rejects_an_empty_reply(dana):
    with pytest.raises(ScenarioError, match="empty"):
        Attempt(dana).reply("   ")


def test_roleplay_customer_stopping_early_is_unresolved(dana):
    attempt = Attempt(dana)
    attempt.reply(GOOD[0])
    result = attempt.finish()
    assert result.outcome == "unresolved" and not result.passed
    assert "still to do" in result.feedback[-1].message or any(
        "still to do" in f.message for f in result.feedback
    )


def test_roleplay_customer_every_temperament_has_reaction_presets():
    from typing import get_args

    from trainer.roleplay.reactions import RULES, TEMPERAMENTS
    from trainer.roleplay.schema import Temperament

    assert set(get_args(Temperament)) == set(TEMPERAMENTS)
    for preset in TEMPERAMENTS.values():
        assert set(preset) <= set(RULES)
