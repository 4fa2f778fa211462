// Mounts the rasa-webchat widget (served as /vendor/rasa-webchat.js) into #chat.
// The Rasa address comes from /config.json, which scripts/web_server.py renders from .env.
"use strict";

// Where rasa-webchat keeps the conversation and its session id (params.storage "local").
const WIDGET_STORAGE_KEY = "chat_session";

function mountWidget(config) {
  window.WebChat.default(
    {
      socketUrl: config.socketUrl,
      socketPath: "/socket.io/",
      initPayload: "/greet",
      title: "Ausreden-Coach",
      subtitle: "Ihre Bedenken, unsere Argumente",
      inputTextFieldHint: "Ihre Nachricht …",
      connectingText: "Verbindung zum Coach wird aufgebaut …",
      embedded: true,
      showCloseButton: false,
      hideWhenNotConnected: false, // show "Verbindung …" instead of an empty box
      withRules: false, // Botfront feature; plain Rasa sends no rules
      docViewer: false, // would open links through docs.google.com
      params: { storage: "local" }, // with session_persistence a reload continues the conversation
      // Short "typing" pause, so several messages in a row stay readable without long waits.
      customMessageDelay: (message) => Math.min(1500, Math.max(400, message.length * 15)),
    },
    document.getElementById("chat"),
  );
}

// rasa-webchat renders quick replies as plain <div>s and its input without a label:
// make them reachable and usable by keyboard and screen readers.
function improveAccessibility(root) {
  root.querySelectorAll("div.rw-reply:not([role])").forEach((reply) => {
    reply.setAttribute("role", "button");
    reply.setAttribute("tabindex", "0");
    reply.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        reply.click();
      }
    });
  });
  root.querySelectorAll("textarea.rw-new-message:not([aria-label])").forEach((input) => {
    input.setAttribute("aria-label", "Ihre Nachricht an den Coach");
  });
  root.querySelectorAll("button.rw-send:not([aria-label])").forEach((button) => {
    button.setAttribute("aria-label", "Senden");
  });
}

function restartConversation() {
  // A new session id on the next load = a new conversation on the server, too.
  window.localStorage.removeItem(WIDGET_STORAGE_KEY);
  window.location.reload();
}

document.getElementById("restart").addEventListener("click", restartConversation);

const chat = document.getElementById("chat");
new MutationObserver(() => improveAccessibility(chat)).observe(chat, { childList: true, subtree: true });

fetch("/config.json")
  .then((response) => {
    if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
    return response.json();
  })
  .then(mountWidget)
  .catch((error) => {
    chat.textContent = "Der Chat ist gerade nicht erreichbar. Bitte laden Sie die Seite später neu.";
    console.error(error);
  });
