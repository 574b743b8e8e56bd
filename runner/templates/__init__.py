"""Files orderspec writes into a user's repository: ``orderspec init`` and ``orderspec schema -o``.

    files = scaffold(system="ctq", ci="github")     # relative path -> content
    written = write_files(Path("."), files)         # FilesExist unless force: nothing half-written

The templates (starter specs, their model and photo, hooks, CI workflows) are package
data in this folder; the profiles and the CI credentials come from the target descriptors.
"""

from orderspec.templates._files import Content, FilesExist, Lines, Written, write_files
from orderspec.templates._scaffold import CI, GITIGNORE, SCHEMAS, SPECS_FOLDER, profiles_file, scaffold, schema_bytes

__all__ = [
    "CI",
    "GITIGNORE",
    "SCHEMAS",
    "SPECS_FOLDER",
    "Content",
    "FilesExist",
    "Lines",
    "Written",
    "profiles_file",
    "scaffold",
    "schema_bytes",
    "write_files",
]
