"""Writes the whole sample export set. Run: python3 sample-data/.generator/build.py"""

import azure
import k8s
import policy
import scans

if __name__ == "__main__":
    azure.write_all()
    policy.write_all()
    k8s.write_all()
    scans.write_all()
    print("sample-data written")
