// Entry point: the page frame (header, banner, connection indicator), routes and session wiring.
import "./styles.css";
import { publicApi, setSessionExpiredHandler } from "./api.js";
import { h, replace } from "./dom.js";
import { disconnectLive, onConnectionStatus } from "./live.js";
import { flashInfo } from "./notices.js";
import { navigate, route, startRouter } from "./router.js";
import { clearSession, currentUser, getSession, onSessionChange } from "./session.js";
import { loginPage, registerPage } from "./pages/auth.js";
import { attemptListPage, attemptPage } from "./pages/attempts.js";
import { challengeListPage } from "./pages/challengeList.js";
import { challengePage } from "./pages/challenges.js";
import { overallLeaderboardPage } from "./pages/leaderboard.js";
import { joinByLinkPage, roomsPage } from "./pages/rooms.js";
import { roomPage } from "./pages/room/roomPage.js";
import { challengeEditorPage } from "./pages/authoring/challengeEditor.js";
import { importPage } from "./pages/authoring/importPage.js";
import { myChallengesPage } from "./pages/authoring/myChallenges.js";
import { myRoomsPage } from "./pages/organiser/myRooms.js";
import { roomSubmissionsPage } from "./pages/organiser/roomSubmissions.js";
import { challengeSubmissionsPage } from "./pages/organiser/challengeSubmissions.js";
import { analyticsPage } from "./pages/organiser/analytics.js";
import { similarityPage } from "./pages/organiser/similarity.js";
import { usersPage } from "./pages/admin/users.js";
import { profilePage } from "./pages/profile.js";

const CONNECTION_TEXT = {
  connecting: "Connecting…",
  reconnecting: "Connection lost — reconnecting…",
  offline: "You are offline — reconnecting when the network is back…",
};

async function signOut() {
  const session = getSession();
  disconnectLive();
  clearSession();
  navigate("/login");
  if (session) {
    // Revoke both tokens; the user is signed out locally whatever the answer.
    publicApi.post("/auth/logout", { refresh_token: session.refresh_token }, session.access_token).catch(() => {});
  }
}

function renderNav(nav) {
  const user = currentUser();
  replace(nav, user
    ? [
      h("a", { href: "#/challenges" }, "Challenges"),
      h("a", { href: "#/leaderboard" }, "Leaderboard"),
      h("a", { href: "#/rooms" }, "Rooms"),
      h("a", { href: "#/attempts" }, "My attempts"),
      h("a", { href: "#/my-challenges", title: "My challenges: write, import, export" }, "Authoring"),
      user.role === "admin" ? h("a", { href: "#/admin/users" }, "Users") : null,
      h("a", { class: "who", href: "#/profile", title: "Your profile and password" }, `${user.full_name} (${user.role})`),
      h("button", { type: "button", class: "link", onclick: signOut }, "Sign out"),
    ]
    : [h("a", { href: "#/login" }, "Sign in"), h("a", { href: "#/register" }, "Register")]);
}

function frame() {
  const nav = h("nav", { class: "nav", "aria-label": "Main" });
  const connection = h("div", { id: "connection", class: "connection", role: "status", "aria-live": "polite", hidden: true });
  document.body.replaceChildren(
    h("a", { class: "skip", href: "#main" }, "Skip to content"),
    h("header", { class: "top" }, h("a", { class: "brand", href: "#/challenges" }, "SQL Arena"), nav),
    connection,
    h("div", { id: "banner" }),
    h("main", { id: "main", tabindex: "-1" }),
    h("div", { id: "toasts", class: "toasts", "aria-live": "polite" }));
  renderNav(nav);
  onSessionChange(() => renderNav(nav));
  onConnectionStatus((state) => {
    connection.hidden = state === "connected";
    connection.dataset.state = state;
    connection.textContent = CONNECTION_TEXT[state] || "";
  });
  return document.getElementById("main");
}

route("/login", loginPage, { open: true });
route("/register", registerPage, { open: true });
route("/challenges", challengeListPage);
route("/challenges/:id", challengePage);
route("/challenges/:id/submissions", challengeSubmissionsPage);
route("/challenges/:id/analytics", analyticsPage);
route("/challenges/:id/similar", similarityPage);
route("/leaderboard", overallLeaderboardPage);
route("/attempts", attemptListPage);
route("/attempts/:id", attemptPage);
route("/rooms", roomsPage);
route("/rooms/new", roomsPage);
route("/rooms/:id", roomPage);
route("/rooms/:id/submissions", roomSubmissionsPage);
route("/my-rooms", myRoomsPage);
route("/profile", profilePage);
route("/admin/users", usersPage);
route("/join/:code", joinByLinkPage);
route("/my-challenges", myChallengesPage);
route("/my-challenges/new", challengeEditorPage);
route("/my-challenges/import", importPage);
route("/my-challenges/:id/edit", challengeEditorPage);

setSessionExpiredHandler((message) => {
  disconnectLive();
  flashInfo(message);
  navigate(`/login?next=${encodeURIComponent(location.hash.slice(1).split("?")[0])}`);
});

startRouter({ root: frame(), isSignedIn: () => Boolean(getSession()), fallback: "/challenges", signIn: "/login" });
