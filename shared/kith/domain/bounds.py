"""The bounds of what an owner chooses, stated once: OwnerSettings holds to them and the API's OwnerIn takes them."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

WeekdayNumber = Annotated[int, Field(ge=0, le=6)]
Weekday = Annotated[WeekdayNumber, Field(description="0 is Monday, 6 is Sunday")]
Hour = Annotated[int, Field(ge=0, le=23)]
DigestLimit = Annotated[int, Field(ge=1, le=50)]
FollowUpDelayMinutes = Annotated[int, Field(ge=0, le=7 * 24 * 60)]
MeetingSizeLimit = Annotated[int, Field(ge=2, le=500)]
# The other addresses an owner sends from (a BCC or forward from one counts as theirs).
MOST_OTHER_ADDRESSES = 10
# The longest IANA zone name is 32 characters (America/Argentina/ComodRivadavia).
LONGEST_ZONE_NAME = 64
