"""Business rules (auth, challenges, attempts, rooms, leaderboards…); nothing here knows HTTP."""
