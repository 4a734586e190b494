# onnxscript turns Python functions into ONNX functions from their source (inspect.getsource),
# so its modules go in the bundle as source files as well as bytecode; the app uses it when it
# exports a model's text and image towers for quick searches.
from PyInstaller.utils.hooks import collect_submodules

hiddenimports = collect_submodules("onnxscript")
module_collection_mode = "pyz+py"
