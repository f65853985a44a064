// id → name for a few challenges (one request each, in parallel; "#id" when one cannot be read).
import { api } from "../api.js";

export async function challengeNameMap(ids) {
  const unique = [...new Set(ids)];
  const names = await Promise.all(unique.map((id) => api.get(`/challenges/${id}`).then((c) => c.name, () => `#${id}`)));
  return new Map(unique.map((id, i) => [id, names[i]]));
}
