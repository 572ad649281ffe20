"""What the inspection issues, and its trail.

- signing/ — the team's and the representative's signatures, signed content, codes, amendments (a package)
- numbers.py — document numbers (文书编号) and their register; number_prefix.py — a laptop's prefix
- issued.py — the archive of issued PDFs, byte for byte
- print_check.py — the bureau settings a document prints, and which are still placeholders
- code_typos.py — a mistyped verification code (核验码), named
- device_register.py — the device register as a verifier of an issued PDF or QR code reads it
"""
