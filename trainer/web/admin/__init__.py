"""Administration: users, teams, staff import, unmatched agents, API tokens and the audit log.
HR sees users (trainees and agents) and the staff import; admins see everything. Every action
goes through a service, which authorizes it."""
