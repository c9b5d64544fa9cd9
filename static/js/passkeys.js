// Passkey ceremonies in the browser: sign-in (button and autofill), adding a
// passkey and confirming it is you. The server does every check; this file only
// converts between WebAuthn's ArrayBuffers and the JSON the API speaks.
"use strict";

(function () {
  function toBytes(b64url) {
    const b64 = b64url.replace(/-/g, "+").replace(/_/g, "/");
    const padded = b64 + "===".slice((b64.length + 3) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  function toB64url(buffer) {
    const bytes = new Uint8Array(buffer);
    let text = "";
    for (const byte of bytes) text += String.fromCharCode(byte);
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function csrfToken(root) {
    const name = root.dataset.csrfCookie;
    for (const part of document.cookie.split(";")) {
      const [key, ...rest] = part.trim().split("=");
      if (key === name) return decodeURIComponent(rest.join("="));
    }
    // The masked token Django also rendered into the page.
    const input = root.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  async function postJSON(root, url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken(root),
      },
      body: JSON.stringify(body || {}),
    });
    let data = {};
    try {
      data = await response.json();
    } catch (error) {
      data = { detail: "Unexpected response from the server." };
    }
    if (!response.ok) {
      const error = new Error(data.detail || "Request failed.");
      error.code = data.code;
      throw error;
    }
    return data;
  }

  function creationOptions(json) {
    return {
      ...json,
      challenge: toBytes(json.challenge),
      user: { ...json.user, id: toBytes(json.user.id) },
      excludeCredentials: (json.excludeCredentials || []).map((c) => ({
        ...c,
        id: toBytes(c.id),
      })),
    };
  }

  function requestOptions(json) {
    return {
      ...json,
      challenge: toBytes(json.challenge),
      allowCredentials: (json.allowCredentials || []).map((c) => ({
        ...c,
        id: toBytes(c.id),
      })),
    };
  }

  function registrationJSON(credential) {
    const response = credential.response;
    return {
      id: credential.id,
      rawId: toB64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: {
        clientDataJSON: toB64url(response.clientDataJSON),
        attestationObject: toB64url(response.attestationObject),
        transports: response.getTransports ? response.getTransports() : [],
      },
    };
  }

  function assertionJSON(credential) {
    const response = credential.response;
    return {
      id: credential.id,
      rawId: toB64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: {
        clientDataJSON: toB64url(response.clientDataJSON),
        authenticatorData: toB64url(response.authenticatorData),
        signature: toB64url(response.signature),
        userHandle: response.userHandle ? toB64url(response.userHandle) : null,
      },
    };
  }

  function say(root, text) {
    const status = root.querySelector("[data-passkey-status]");
    if (status) status.textContent = text;
  }

  function supported() {
    return Boolean(window.PublicKeyCredential && navigator.credentials);
  }

  // One assertion: options, the browser's prompt (or autofill), verification.
  async function assert(root, optionsUrl, verifyUrl, extra) {
    const options = await postJSON(root, optionsUrl);
    if (extra.beforePrompt && !extra.beforePrompt()) return null;
    const credential = await navigator.credentials.get({
      publicKey: requestOptions(options),
      mediation: extra.mediation,
      signal: extra.signal,
    });
    return postJSON(root, verifyUrl, {
      credential: assertionJSON(credential),
      next: root.dataset.next || undefined,
    });
  }

  function setUpLogin(root) {
    const button = root.querySelector("[data-passkey-button]");
    if (!supported()) {
      button.disabled = true;
      say(root, "This browser does not support passkeys.");
      return;
    }
    const optionsUrl = root.dataset.optionsUrl;
    const verifyUrl = root.dataset.verifyUrl;
    let autofill = null;
    let autofillRun = Promise.resolve();

    const done = (result) => {
      if (result) window.location.assign(result.redirect || "/");
    };
    const failed = (error) => {
      if (error && error.name === "AbortError") return;
      if (error && error.name === "NotAllowedError") {
        say(root, "Passkey sign-in was cancelled.");
      } else {
        say(root, (error && error.message) || "Passkey sign-in failed.");
      }
    };

    // Autofill (conditional mediation) where the browser offers it: the
    // username field lists passkeys next to saved usernames.
    if (PublicKeyCredential.isConditionalMediationAvailable) {
      PublicKeyCredential.isConditionalMediationAvailable().then((available) => {
        const field = document.querySelector("input[name=login]");
        if (!available || !field) return;
        field.setAttribute("autocomplete", "username webauthn");
        autofill = new AbortController();
        const signal = autofill.signal;
        autofillRun = assert(root, optionsUrl, verifyUrl, {
          mediation: "conditional",
          signal,
          beforePrompt: () => !signal.aborted,
        })
          .then(done)
          .catch(failed);
      });
    }

    button.addEventListener("click", async () => {
      button.disabled = true;
      say(root, "Waiting for your passkey…");
      if (autofill) autofill.abort();
      // Let a pending autofill request finish first: each ceremony replaces the
      // previous challenge on the server.
      await autofillRun;
      try {
        done(await assert(root, optionsUrl, verifyUrl, {}));
      } catch (error) {
        failed(error);
      } finally {
        button.disabled = false;
      }
    });
  }

  function setUpManage(root) {
    const add = root.querySelector("[data-passkey-add]");
    const reauth = root.querySelector("[data-passkey-reauth]");
    if (!supported()) {
      if (add) add.disabled = true;
      if (reauth) reauth.disabled = true;
      say(root, "This browser does not support passkeys.");
      return;
    }
    if (add) {
      add.addEventListener("click", async () => {
        add.disabled = true;
        say(root, "Follow your browser's prompt to create the passkey…");
        try {
          const options = await postJSON(root, root.dataset.registerOptionsUrl);
          const credential = await navigator.credentials.create({
            publicKey: creationOptions(options),
          });
          const nameField = root.querySelector("[data-passkey-name]");
          await postJSON(root, root.dataset.registerVerifyUrl, {
            credential: registrationJSON(credential),
            name: nameField ? nameField.value : "",
          });
          window.location.reload();
        } catch (error) {
          say(root, error.name === "NotAllowedError"
            ? "Adding the passkey was cancelled."
            : error.message || "Adding the passkey failed.");
          add.disabled = false;
        }
      });
    }
    if (reauth) {
      reauth.addEventListener("click", async () => {
        reauth.disabled = true;
        try {
          await assert(
            root,
            root.dataset.loginOptionsUrl,
            root.dataset.loginVerifyUrl,
            {},
          );
          window.location.reload();
        } catch (error) {
          say(root, error.message || "Confirming with a passkey failed.");
          reauth.disabled = false;
        }
      });
    }
  }

  document.querySelectorAll("[data-passkey-login]").forEach(setUpLogin);
  document.querySelectorAll("[data-passkey-manage]").forEach(setUpManage);
})();
