"""P7 data for the Go side: exactly the X and model RDM of ../shared/bench/p7_rsa.py
(numpy default_rng(7), same draw order), saved as X.npy (500 x 10000 float64) and
model.npy (500 x 500 float64) in the directory given as argv[1].

usage: /usr/bin/python3 bench/p7_make_data.py DIR
"""
import os, sys
import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(7)
n_c, n_f, d = 500, 10_000, 20
latent = rng.normal(0, 1, (10, d))[np.arange(n_c) % 10] + 0.7 * rng.normal(0, 1, (n_c, d))
X = latent @ rng.normal(0, 1, (d, n_f)) + 8.0 * rng.normal(0, 1, (n_c, n_f))
model = np.sqrt(((latent[:, None, :] - latent[None, :, :]) ** 2).sum(-1))
np.save(os.path.join(out, "X.npy"), X)
np.save(os.path.join(out, "model.npy"), model)
