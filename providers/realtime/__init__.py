"""Realtime voice sessions over WebSockets: one session machine (session.py), two dialects (grok.py, openai.py)."""
