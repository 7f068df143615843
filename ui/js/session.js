// The signed-in token: in this tab's sessionStorage only (never a cookie,
// never localStorage, never a URL), gone when the tab closes.
const key = 'tresor.token';

export const session = {
  token: () => sessionStorage.getItem(key),
  set(token) {
    sessionStorage.setItem(key, token);
  },
  clear() {
    sessionStorage.removeItem(key);
  },
  // Filled from auth/token/lookup-self after sign-in.
  about: null,
};
