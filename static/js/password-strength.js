// A hint under a new password (input[data-strength]): how far it is from what the
// server asks (at least 8 characters, not only digits, not common) and how strong.
// The server's validators still decide; this only helps while typing.
const COMMON = new Set(["password", "12345678", "123456789", "qwertyui", "iloveyou", "sunshine", "princess", "football", "baseball", "welcome1", "password1"]);

function strength(value) {
  if (!value) return { level: 0, text: "" };
  if (value.length < 8) return { level: 1, text: `Too short: ${8 - value.length} more character${value.length === 7 ? "" : "s"}` };
  if (/^\d+$/.test(value)) return { level: 1, text: "Only digits: add letters" };
  if (COMMON.has(value.toLowerCase())) return { level: 1, text: "A common password: pick another" };
  const kinds = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((kind) => kind.test(value)).length;
  const score = kinds + (value.length >= 12 ? 1 : 0) + (value.length >= 16 ? 1 : 0);
  if (score >= 4) return { level: 4, text: "Strong" };
  if (score >= 3) return { level: 3, text: "Good: longer or mixed characters make it stronger" };
  return { level: 2, text: "Weak: make it longer, or mix letters, digits and signs" };
}

for (const input of document.querySelectorAll("input[data-strength]")) {
  const hint = Object.assign(document.createElement("p"), { className: "strength", id: `${input.id}-strength` });
  hint.setAttribute("aria-live", "polite");
  const meter = Object.assign(document.createElement("meter"), { min: 0, max: 4, low: 2, high: 3, optimum: 4, value: 0 });
  meter.setAttribute("aria-hidden", "true");
  const words = document.createElement("span");
  hint.append(meter, words);
  input.after(hint);
  input.setAttribute("aria-describedby", `${input.getAttribute("aria-describedby") || ""} ${hint.id}`.trim());
  input.addEventListener("input", () => {
    const { level, text } = strength(input.value);
    meter.value = level;
    words.textContent = text ? `Strength: ${text}` : "";
    hint.dataset.level = String(level);
  });
}
