"""The decoding bench's reference: PyTorch's GPT (scripts/fixtures/gpt2.py) in float64.

  reference.py WEIGHTS CONFIG_JSON PROMPT STEPS OUT_DIR

loads WEIGHTS (a past-weights.safetensors state_dict), decodes greedily from PROMPT (comma-separated
token ids) for STEPS tokens in float64, and writes OUT_DIR/reference.json (the tokens) and
OUT_DIR/reference-logits.f32 (STEPS rows of vocab logits, float32 little-endian): the prefill's last
row, then one row per step. Every runner of the bench is fed these tokens and its logits are judged
against these rows, so no f32 runner is the reference for another.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "fixtures"))

import torch  # noqa: E402

import gpt2  # noqa: E402
import safetensors_io as st  # noqa: E402


def main():
    weights, config_json, prompt, steps, out = sys.argv[1:6]
    config = json.loads(config_json)
    torch.set_num_threads(1)
    model = gpt2.GPT(vocab=config["vocab"], context=config["context"], d_model=config["dModel"],
                     heads=config["heads"], layers=config["layers"]).eval()
    model.load_state_dict(st.read(weights)[0])
    model = model.double()
    ids = [int(t) for t in prompt.split(",")]
    rows, tokens = [], []
    with torch.no_grad():
        logits, past = model(torch.tensor([ids]), None)
        for i in range(int(steps)):
            row = logits[0, -1]
            token = int(row.argmax())
            rows.append(row.float())
            tokens.append(token)
            if i + 1 < int(steps):
                logits, past = model(torch.tensor([[token]]), past)
    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump({"prompt": ids, "tokens": tokens}, f)
    torch.stack(rows).numpy().astype("<f4").tofile(os.path.join(out, "reference-logits.f32"))


if __name__ == "__main__":
    main()
