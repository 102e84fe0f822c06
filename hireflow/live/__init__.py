"""Live interviews with an AI assistant beside the call (SPEC E2).

A live round has a room: HR, panel members and the candidate join from their browsers (WebRTC
audio/video, signalling through this app), or HR runs the call in another meeting product and
the assistant listens to the call's audio captured in HR's browser. Every participant consents
on screen before any audio is accepted. Audio arrives in short chunks, is transcribed with the
embedded Whisper model of the AI interview, and the assistant turns the transcript into a plan
checklist and hints; after the call the transcript, the hints and HR's notes go into the
person's record and the answers are scored with the interview engine. See docs/live.md.
"""
