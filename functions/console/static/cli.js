// The relay of `kith login`: Cognito returns only to a registered address, so it returns here, and this
// page forwards the answer (code and state, or error) to the command's loopback server. The port is the
// state's first part; the command checks the whole state. Only 127.0.0.1, only ports 1024 to 65535.

const STATE = /^(\d{1,5})\.[A-Za-z0-9_-]{16,}$/;
const FORWARDED = ["code", "state", "error", "error_description"];

export function loopbackPort(state) {
  const found = STATE.exec(state || "");
  if (!found) return null;
  const port = Number(found[1]);
  return port >= 1024 && port <= 65535 && String(port) === found[1] ? port : null;
}

export function callbackUrl(search) {
  const received = new URLSearchParams(search);
  if (!received.get("state") || !(received.get("code") || received.get("error"))) {
    return { problem: "nothing" };
  }
  const port = loopbackPort(received.get("state"));
  if (port === null) return { problem: "port" };
  const forwarded = new URLSearchParams();
  for (const name of FORWARDED) {
    const value = received.get(name);
    if (value) forwarded.set(name, value);
  }
  return { port, url: `http://127.0.0.1:${port}/callback?${forwarded}` };
}

function say(title, sentence, link = null) {
  document.getElementById("title").textContent = title;
  const said = document.getElementById("said");
  said.textContent = sentence;
  if (link) {
    const paragraph = document.createElement("p");
    const anchor = document.createElement("a");
    anchor.href = link.href;
    anchor.textContent = link.text;
    paragraph.append(anchor);
    said.after(paragraph);
  }
  document.title = `${title} · Kith`;
}

function relay() {
  const found = callbackUrl(window.location.search);
  if (found.problem === "nothing") {
    say(
      "Nothing to hand over",
      "This page finishes a sign-in started by the kith command (kith login), and was opened without one. " +
        "To sign the command in, run kith login in a terminal; to use Kith in this browser, open the console.",
      { href: "./", text: "Open the Kith console" },
    );
    return;
  }
  if (found.problem === "port") {
    say(
      "This sign-in cannot be handed over",
      "The sign-in does not say where the kith command is waiting (its state names no port from 1024 to 65535), " +
        "so it was not forwarded anywhere. Run kith login again.",
    );
    return;
  }
  say(
    "Signing in the kith command",
    `Handing your sign-in to the kith login waiting on this computer (port ${found.port})…`,
  );
  // replace: the page holding the code leaves the history.
  window.location.replace(found.url);
}

relay();
