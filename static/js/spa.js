// The tokenless single-page client. It keeps nothing about the session: the
// browser sends the HttpOnly session cookie, and the CSRF token is read from
// its cookie at each unsafe call. No localStorage, no sessionStorage, no
// Authorization header. Every permission is checked again on the server.
"use strict";

(() => {
  const root = document.getElementById("spa");
  const csrfCookieName = root.dataset.csrfCookieName;
  const apiBase = root.dataset.apiBase || "";
  // Same origin by default; a client served elsewhere (an allowed CORS
  // origin) must send the cookie with credentials: "include".
  const crossOrigin =
    apiBase !== "" && new URL(apiBase, location.href).origin !== location.origin;
  const credentials = crossOrigin ? "include" : "same-origin";
  const $ = (id) => document.getElementById(id);

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.detail) || `HTTP ${status}`);
      this.status = status;
      this.code = (body && body.code) || "error";
    }
  }

  function csrfToken() {
    for (const part of document.cookie.split(";")) {
      const [name, ...value] = part.trim().split("=");
      if (name === csrfCookieName) return decodeURIComponent(value.join("="));
    }
    return "";
  }

  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    const init = { method, headers, credentials, cache: "no-store" };
    if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(apiBase + path, init);
    let data = null;
    if (response.status !== 204) {
      try {
        data = await response.json();
      } catch {
        data = null;
      }
    }
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  function show(section) {
    for (const id of ["signin", "app", "reauth"]) $(id).hidden = id !== section;
    root.dataset.state = section === "signin" ? "signed-out" : "signed-in";
    $("logout").hidden = section === "signin";
  }

  function error(message) {
    $("error").textContent = message || "";
    $("error").hidden = !message;
  }

  function cell(text) {
    const td = document.createElement("td");
    td.textContent = text;
    return td;
  }

  const when = (iso) => (iso ? iso.replace("T", " ").slice(0, 16) + " UTC" : "");

  function renderSessions(rows) {
    const body = $("sessions");
    body.replaceChildren();
    for (const row of rows) {
      const tr = document.createElement("tr");
      tr.dataset.test = "session-row";
      tr.dataset.sessionId = row.id;
      tr.dataset.current = String(row.is_current);
      const device = cell(row.device);
      if (row.is_current) {
        const badge = document.createElement("span");
        badge.className = "badge";
        badge.dataset.test = "this-device";
        badge.textContent = "this device";
        device.append(" ", badge);
      }
      tr.append(device, cell(row.ip || "unknown"), cell(when(row.created_at)),
        cell(when(row.last_seen_at)), cell(row.method));
      const action = document.createElement("td");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "secondary";
      button.dataset.test = "end-session";
      button.textContent = row.is_current ? "Sign out here" : "End";
      button.addEventListener("click", () => endSession(row));
      action.append(button);
      tr.append(action);
      body.append(tr);
    }
  }

  async function refresh() {
    const me = await api("GET", "/api/me/");
    $("me-name").textContent = me.username;
    $("me-username").textContent = me.username;
    $("me-perms").textContent = me.permissions.length ? me.permissions.join(", ") : "none";
    renderSessions(await api("GET", "/api/sessions/"));
    show("app");
  }

  async function signedOut(message) {
    show("signin");
    $("me-username").textContent = "";
    $("sessions").replaceChildren();
    error(message);
    await api("GET", "/api/auth/csrf/"); // a fresh CSRF cookie for the next sign-in
  }

  // A 401 anywhere means the server ended this session: back to sign-in.
  async function guard(action) {
    error("");
    try {
      await action();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        await signedOut("Your session has ended. Please sign in again.");
      } else if (err instanceof ApiError && err.code === "reauth_required") {
        show("reauth");
      } else {
        error(err.message);
      }
    }
  }

  let pendingAfterReauth = null;

  async function endSession(row) {
    pendingAfterReauth = () => endSession(row);
    await guard(async () => {
      await api("DELETE", `/api/sessions/${row.id}/`);
      pendingAfterReauth = null;
      if (row.is_current) {
        await signedOut("");
      } else {
        await refresh();
        $("notice").textContent = "That session has been ended.";
      }
    });
  }

  async function revokeOthers() {
    pendingAfterReauth = revokeOthers;
    await guard(async () => {
      const result = await api("POST", "/api/sessions/revoke-others/");
      pendingAfterReauth = null;
      await refresh();
      $("notice").textContent = `Ended ${result.revoked} other session(s).`;
    });
  }

  $("signin-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    guard(async () => {
      await api("POST", "/api/auth/login/", {
        login: form.elements.login.value,
        password: form.elements.password.value,
      });
      form.reset();
      await refresh();
    });
  });

  $("reauth-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    guard(async () => {
      await api("POST", "/api/auth/reauth/", { password: form.elements.password.value });
      form.reset();
      show("app");
      if (pendingAfterReauth) await pendingAfterReauth();
    });
  });

  $("reauth-cancel").addEventListener("click", () => show("app"));
  $("revoke-others").addEventListener("click", revokeOthers);
  $("logout").addEventListener("click", () =>
    guard(async () => {
      await api("POST", "/api/auth/logout/");
      await signedOut("");
    }),
  );

  guard(async () => {
    await api("GET", "/api/auth/csrf/");
    try {
      await refresh();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) await signedOut("");
      else throw err;
    }
  });
})();
