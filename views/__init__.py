"""What the user sees: texts per language, formatting, keyboards, typed button data and screens.

Pure functions, data in, what to send out; no database and no decisions (those are in db/)."""
