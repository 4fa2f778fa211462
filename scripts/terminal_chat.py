"""A German terminal chat with the coach over Rasa's REST channel.

Buttons are shown numbered; typing the number clicks the button, anything else is sent as
free text. Ctrl-C, Ctrl-D or "/stop" ends the chat.
"""
from __future__ import annotations

import sys
import textwrap
import uuid
from typing import Dict, List

import requests

EXIT_WORDS = {"/stop", "/exit", "/quit"}


def send(rasa_url: str, sender: str, text: str) -> List[Dict]:
    response = requests.post(
        f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
    )
    response.raise_for_status()
    return response.json()


def show(messages: List[Dict]) -> List[Dict]:
    """Prints the coach's messages and returns the buttons of the last one that had any."""
    buttons: List[Dict] = []
    for message in messages:
        for line, paragraph in enumerate((message.get("text") or "").split("\n")):
            prefix = "Coach: " if line == 0 else "       "
            print(textwrap.fill(paragraph, width=88, initial_indent=prefix, subsequent_indent="       "))
        if message.get("buttons"):
            buttons = message["buttons"]
            for number, button in enumerate(buttons, 1):
                print(f"       [{number}] {button['title']}")
    return buttons


def chat(rasa_url: str, sender: str = "") -> None:
    sender = sender or f"terminal-{uuid.uuid4().hex[:12]}"
    print("\nAusreden-Coach – schreiben Sie einfach los. Eine Zahl wählt eine Antwortmöglichkeit, /stop beendet.\n")
    buttons = show(send(rasa_url, sender, "/greet"))
    while True:
        try:
            text = input("\nSie: ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return
        if text.lower() in EXIT_WORDS:
            return
        if not text:
            continue
        if text.isdigit() and 1 <= int(text) <= len(buttons):
            choice = buttons[int(text) - 1]
            print(f"     → {choice['title']}")
            text = choice["payload"]
        try:
            buttons = show(send(rasa_url, sender, text))
        except requests.RequestException as error:
            print(f"(Keine Verbindung zum Coach: {error}. Bitte versuchen Sie es noch einmal.)", file=sys.stderr)


if __name__ == "__main__":
    chat(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5005")
