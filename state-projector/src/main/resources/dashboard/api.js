// The query API, with the token in the Authorization header only: never in a URL, never in a
// cookie (so no other site can make the browser act with it).

const TOKEN_KEY = 'reinstall-dashboard.token';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** The token of this tab's session, or null. */
export function storedToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function storeToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

export function createApi(token) {
  async function call(method, path, body) {
    const init = {
      method,
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
      cache: 'no-store',
      credentials: 'omit',
      redirect: 'error',
    };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, 'the projector cannot be reached');
    }
    let json = null;
    try {
      json = await response.json();
    } catch {
      json = null;
    }
    if (!response.ok) {
      throw new ApiError(response.status, json?.error ?? `HTTP ${response.status}`);
    }
    return json;
  }
  return {
    whoami: () => call('GET', '/whoami'),
    summary: () => call('GET', '/fleet/summary'),
    reinstalls: (limit) => call('GET', `/reinstalls?limit=${limit}`),
    reinstall: (serverId) => call('GET', `/reinstalls/${encodeURIComponent(serverId)}`),
    history: (serverId) => call('GET', `/reinstalls/${encodeURIComponent(serverId)}/history`),
    cancel: (serverId, reason) => call('POST', `/reinstalls/${encodeURIComponent(serverId)}/cancel`, reason ? { reason } : {}),
    release: (serverId, reason) => call('POST', `/reinstalls/${encodeURIComponent(serverId)}/release`, reason ? { reason } : {}),
  };
}
