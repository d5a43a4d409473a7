"""Role-play practice: the library with the user's history and progress (`/practice`) and a
live attempt (`/practice/<scenario>`)."""
