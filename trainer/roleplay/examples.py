"""Examples of better replies, for feedback on each missed criterion and each bad reaction.

Scenario files give their own examples (`better_reply` on requirements and criteria, and
`scoring.better_replies`); these are the fallbacks for the shipped rubric's criteria, by criterion
id, then by detector, then by section. `{first_name}`, `{agent}` and fact ids are filled in.
"""

from __future__ import annotations

BY_CRITERION: dict[str, str] = {
    "acknowledges-feelings": (
        "I'm so sorry, {first_name}. I can hear how frustrating this is, and I'm going to sort "
        "it out for you."
    ),
    "apologises": "I'm sorry about this, {first_name}. That shouldn't have happened.",
    "uses-name": "Thanks, {first_name}. Let me look into that for you right now.",
    "no-dismissive-language": (
        "I understand why you're upset, {first_name}, and I'm going to help you fix this."
    ),
    "readable": "Here's what I'll do. First, I'll check your account. Then I'll fix the problem.",
    "no-jargon": (
        "The payment is still being processed. That just means the bank hasn't finished "
        "moving the money yet."
    ),
    "few-fillers": "Let me check that for you now.",
    "checks-understanding": (
        "Does that make sense, {first_name}? Is there anything I should go over again?"
    ),
    "states-next-steps": "Here's what happens next: you'll get an email confirmation today.",
    "resolution-confirmed": (
        "I've fixed that for you now. Can you check it's showing correctly on your side?"
    ),
    "no-deflection": (
        "I'll stay with this myself and make sure it's sorted, so you won't need to call back."
    ),
    "settled-ending": "Is everything sorted for you now, {first_name}?",
    "commitment-with-time-frame": (
        "You'll get a confirmation email within 24 hours, and I'll check on it myself by Friday."
    ),
    "reference-number": "Your reference number is RP-20417, in case you need to contact us again.",
    "recap": "To recap: I've fixed the problem, and you'll get an email confirmation today.",
    "offers-further-help": "Is there anything else I can help you with today?",
    "greeting": "Hi {first_name}, thanks for contacting us, this is {agent}. How can I help?",
    "verifies-identity": (
        "Before I make any changes, could you confirm your full name and the email on the account?"
    ),
    "closing": "Thanks for your patience today, {first_name}. Have a great day!",
}

BY_DETECTOR: dict[str, str] = {
    "roleplay.de_escalation.v1": (
        "I completely understand why you're upset, {first_name}. I'm going to take care of this "
        "for you right now."
    ),
    "empathy.emotional_reaction.v1": "I'm really sorry, {first_name}. That sounds awful.",
    "empathy.interpretation.v1": (
        "It sounds like this has cost you time and worry, and that's the last thing you needed."
    ),
    "empathy.exploration.v1": "How has this affected you? I want to make sure I fix all of it.",
}

BY_SECTION: dict[str, str] = {
    "empathy": "I'm sorry, {first_name}. I can see why that's frustrating.",
    "clarity": "In plain words: here's what happened, and here's what I'll do next.",
    "resolution": "I've sorted that for you now. Is it showing correctly on your side?",
    "follow_up": "You'll get an email confirmation today, and I'll check on it by Friday.",
    "call_handling": "Thanks for contacting us, this is {agent}. How can I help?",
    "conflict_resolution": "I hear you, {first_name}. Let's fix this together, starting now.",
}

#: Better replies for inflaming reactions, by reaction rule.
BY_REACTION: dict[str, str] = {
    "dismissive": BY_CRITERION["no-dismissive-language"],
    "blame": "That's not on you, {first_name}. Let's get it fixed.",
    "ignored_feelings": BY_CRITERION["acknowledges-feelings"],
    "cannot_help": "Here's what I can do for you right now.",
    "deflected": BY_CRITERION["no-deflection"],
    "vague_promise": "I'll email you an update by 5 pm tomorrow.",
    "vague_answer": "Let me check that now so I can give you a clear answer.",
    "jargon": BY_CRITERION["no-jargon"],
    "hard_to_follow": BY_CRITERION["readable"],
    "stalled": "Here's what I'm doing right now to fix this.",
}

GENERIC = "Tell the customer plainly what you are doing for them, and what happens next."


def example_for(
    criterion_id: str | None,
    detector: str | None,
    section: str | None,
    scenario_examples: dict[str, str],
) -> str:
    """The best example available for a missed criterion (unformatted template)."""
    if criterion_id and criterion_id in scenario_examples:
        return scenario_examples[criterion_id]
    if criterion_id and criterion_id in BY_CRITERION:
        return BY_CRITERION[criterion_id]
    if detector and detector in BY_DETECTOR:
        return BY_DETECTOR[detector]
    return BY_SECTION.get(section or "", GENERIC)
