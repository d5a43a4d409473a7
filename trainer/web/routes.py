"""The web app's routes, in one place so pages and links agree."""

HOME = "/"
CONVERSATIONS = "/conversations"
REVIEW = "/conversations/[conversation_id]"
SCORECARD = "/scorecard"
PRACTICE = "/practice"
PRACTICE_SCENARIO = "/practice/[scenario_id]"
