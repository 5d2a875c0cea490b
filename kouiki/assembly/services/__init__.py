"""Every write of general meetings: `meetings` (the organization's staff: meetings, voting rights,
convocations), `answers` (members: MEM-G2 attendance, persons, votes) and `checkin` (MEM-G4)."""
