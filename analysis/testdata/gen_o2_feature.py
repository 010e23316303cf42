# Generates o2_feature.csv: the feature of oracle O2 in
# ../shared/reference/analysis-methods.md (pynapple compute_mutual_information
# docstring example), which needs numpy's legacy Mersenne-Twister normal stream.
# Run with Debian's python: /usr/bin/python3 gen_o2_feature.py
import numpy as np

np.random.seed(42)
t = np.arange(0, 100, 0.01)
feat = np.clip(t * 0.01 + np.random.normal(0, 0.02, len(t)), 0, 1)
with open("o2_feature.csv", "w") as f:
    f.write("# O2 feature: np.random.seed(42); t=arange(0,100,0.01); clip(t*0.01+normal(0,0.02),0,1)\n")
    for x in feat:
        f.write("%r\n" % float(x))
