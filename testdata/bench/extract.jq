# The extraction jcrestore's benchmark asks of jq: the username and email of
# every deleted user, from an NDJSON stream or a JSON array alike.
(if type == "array" then .[] else . end)
| select(.event_type == "user_delete")
| [.resource.username, ((.changes // [])[] | select(.field == "email") | .from)]
| @csv
