"""Reading reports written as free text: pure text work, no database.

It finds the five parts however they are headed and numbered (structure), the township and the
year (places), the figures of the data elements with the clause each came from (figures), whether
the required parts are really there (completeness), and the passages two texts share (passages).
documents turns an uploaded .docx or .txt into text. Nothing here imports a model: the portal's
apps pass in what the reading needs (known township names) and store what it finds.
"""
