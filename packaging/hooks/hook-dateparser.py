# dateparser loads each language's words (month names, "last week") by module name at run time,
# so PyInstaller cannot see them: every locale module goes in, with the data files.
from PyInstaller.utils.hooks import collect_data_files, collect_submodules

hiddenimports = collect_submodules("dateparser.data") + collect_submodules("dateparser.languages")
datas = collect_data_files("dateparser")
