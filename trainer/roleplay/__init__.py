"""Role-play practice: scenarios, a simulated customer, scored attempts with feedback, progress.

- `schema` / `loader`: scenario YAML (`scenarios/*.yaml`) validated with errors naming file and path
- `signals` / `reactions` / `customer`: the rule-played customer (mood, facts, outcome)
- `attempt`: an attempt driven turn by turn, with snapshots for the web app
- `scoring` / `results` / `feedback` / `examples`: the rubric score and turn-tied feedback
- `phrasing`: the optional OpenAI-compatible adapter that rewords the customer's lines
- `progress`: per-skill progress over attempts (pandas)
- `cli`: `trainer roleplay` and `trainer scenario ...`

Nothing here imports the web layer.
"""
