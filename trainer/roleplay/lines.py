"""Choosing what the customer says: seeded, mood-aware picks from a scenario's lines.

A pick depends only on (seed, turn, key), never on a shared random state, so the same replies with
the same seed give the same conversation, and an attempt restored from a snapshot goes on exactly as
it would have.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from trainer.roleplay.schema import LineSet, LineVariant, line_text

#: Lines used when a scenario gives none for a moment or a reaction rule. `{detail}` is what
#: triggered the reaction (a jargon term, a vague phrase); `{first_name}` the customer's name.
DEFAULT_LINES: dict[str, LineSet] = {
    "wrap_up": ["Thanks.", "Okay, thank you."],
    "wrap_up_no_more": ["No, that's everything, thanks.", "No, that's all I needed, thanks."],
    "farewell": ["Thanks, you too. Bye.", "Okay, bye."],
    "turn_limit": [
        "I've spent long enough on this. I'll try again another time.",
        "I can't stay on any longer. I'll have to call back.",
    ],
    "stalled": [
        "I'm still waiting for an answer here.",
        "So what happens now?",
        "Okay... and?",
    ],
    "calmed": [
        "Okay. Thank you for saying that.",
        "Alright. I appreciate that.",
        "Okay. Thanks.",
        "Right. Okay.",
    ],
    "refuse_fact": [
        "I'm not giving you anything until someone actually listens to me.",
        "Why should I give you that? Tell me what you're going to do first.",
    ],
    "not_calm_yet": [
        "Fine, but honestly, I'm still not happy about how this went.",
        "Okay. I'm still pretty annoyed about all of this.",
    ],
    "dismissive": [
        LineVariant(text="Excuse me? Don't talk to me like that.", min_mood=6),
        "I don't appreciate that tone.",
        "Wow. Okay. That's not helpful at all.",
    ],
    "blame": [
        "So this is my fault now?",
        "Don't put this on me. I did everything right.",
    ],
    "ignored_feelings": [
        LineVariant(text="Are you even listening to me? I'm really not happy.", min_mood=6),
        "Did you hear what I said?",
    ],
    "jargon": [
        "Sorry, what does '{detail}' mean?",
        "I don't know what '{detail}' is. Can you say that in plain English?",
    ],
    "vague_promise": [
        "{detail}? When exactly?",
        "That's not an answer. When, exactly?",
    ],
    "vague_answer": [
        "You don't sound very sure. Can you find out?",
        "That's not very reassuring. I need a real answer.",
    ],
    "deflected": [
        "I don't want to be passed around. Can't you deal with it?",
        "Why can't you just sort it out yourself?",
    ],
    "cannot_help": [
        "So you're telling me you can't do anything?",
        "That's it? There's nothing you can do?",
    ],
    "hard_to_follow": [
        "Sorry, you lost me. Can you say that more simply?",
        "That's a lot. Can you go one step at a time?",
    ],
    "boundary": ["...Fine. Okay.", "Alright, alright."],
}


def choose(
    lines: LineSet, mood: int, seed: int, turn: int, key: str, fields: Mapping[str, str]
) -> str:
    """One line fitting the mood (any line if none fits), filled with `fields`.

    The pick is seeded by (seed, turn, key): deterministic and independent of earlier picks.
    """
    fitting = [line for line in lines if isinstance(line, str) or line.fits(mood)]
    candidates = fitting or list(lines)
    if not candidates:
        return ""
    rng = random.Random(f"{seed}:{turn}:{key}")
    template = line_text(candidates[rng.randrange(len(candidates))])
    return template.format_map(SafeFields(fields))


class SafeFields(dict):
    """Formatting values; an unknown `{name}` stays as written rather than failing mid-attempt."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
