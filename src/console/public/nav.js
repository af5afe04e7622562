// Navigation and announcements, shared by the shell and the pages.

/** Go to a hash route; re-renders even when it is the current one (e.g. the same filters applied again). */
export function navigate(hash) {
  if (window.location.hash === hash) window.dispatchEvent(new Event('console:reroute'));
  else window.location.hash = hash;
}

/** Tells screen-reader users what just happened (role="status" live region). */
export function announce(message) {
  const announcer = document.getElementById('announcer');
  announcer.textContent = '';
  setTimeout(() => {
    announcer.textContent = message;
  }, 50);
}
