"""Calendar providers: verifying their webhooks and reading them as MeetingEvents."""
