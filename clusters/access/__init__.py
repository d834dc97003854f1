"""Access control: roles per deployment, API tokens, and the checks the API, the console and job start share."""
