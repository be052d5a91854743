"""The rules and the transactions. Views call these; these never import a blueprint."""
