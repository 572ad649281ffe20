"""Official documents as signed PDFs (reportlab, pyHanko): problem summary, inspection record, notice. No Qt.

Entry point: documents.generate.generate(db, inspection_id, "summary" | "record" | "notice").
"""
