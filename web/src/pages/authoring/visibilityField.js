// Who sees the challenge and from when: visibility (public / draft / room) and the release time.
// A creator whose role may not publish (CHALLENGE_PUBLISH_ROLES) is answered 403; from then on the
// choice is locked to draft for that user, with the server's explanation beside it.
import { h, replace } from "../../dom.js";
import { currentUser } from "../../session.js";
import { formField, isoToLocalInput, localInputToIso, selectBox } from "./formControls.js";

const VISIBILITIES = [
  ["public", "Public — every player (from the release time, if set)"],
  ["draft", "Draft — only you and admins"],
  ["room", "Room — only players of a room using it, once it starts"],
];

const lockKey = () => `sqlarena.draftOnly.${currentUser()?.id}`;

/** visibilityFields({visibility, release_at}, errors) → {element, read(), lockToDraft(message)}. */
export function visibilityFields(initial, errors) {
  const select = selectBox("visibility", VISIBILITIES, initial.visibility || "draft");
  const release = h("input", { type: "datetime-local", name: "release_at", value: isoToLocalInput(initial.release_at) });
  const lockNote = h("small", { class: "lock-note", hidden: true });

  const lockToDraft = (message) => {
    localStorage.setItem(lockKey(), message);
    select.value = "draft";
    select.disabled = true;
    replace(lockNote, `Locked to draft: ${message}`);
    lockNote.hidden = false;
  };
  const remembered = localStorage.getItem(lockKey());
  if (remembered) lockToDraft(remembered);

  return {
    element: h("div", { class: "row" },
      formField("visibility", "Visibility", select, errors, lockNote),
      formField("release_at", "Release time (your local time; empty = at once)", release, errors)),
    read: () => ({ visibility: select.value, release_at: localInputToIso(release.value) }),
    lockToDraft,
  };
}
