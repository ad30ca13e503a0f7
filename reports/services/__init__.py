"""Writes, one module per concern: drafts (the clerk's text and figures), transitions (the workflow
moves), comments (review comments and answers), reminders, scoring. Each service is one
transaction; state changes lock the report row first; side effects run after the commit."""
