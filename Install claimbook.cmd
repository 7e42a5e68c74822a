@echo off
rem claimbook installer for Windows: double-click this file in File Explorer.
rem It finds Python 3.11 or newer and hands over to installer\install.py, which does the work for both
rem this file and "Install claimbook.command" (Mac): makes %LOCALAPPDATA%\claimbook\venv, installs
rem claimbook from this folder (offline from a "wheels" folder when there is one), runs
rem "claimbook excel install" and says what to do next. Running it again updates claimbook and keeps
rem your tracker and payer rules.
setlocal
cd /d "%~dp0"

if not exist "%~dp0installer\install.py" (
    echo This file must stay in the claimbook folder, next to the "installer" folder.
    echo If you opened a zip file, unzip it first: right-click it, choose Extract All, then
    echo double-click "Install claimbook.cmd" in the unzipped folder.
    goto :failed
)

rem The Python launcher (py) that python.org's installer puts in Windows first, then "python".
set "PYTHON="
py -3 -c "import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)" >nul 2>nul && set "PYTHON=py -3"
if not defined PYTHON (
    python -c "import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)" >nul 2>nul && set "PYTHON=python"
)
if not defined PYTHON (
    echo claimbook needs Python 3.11 or newer, and none was found on this computer.
    echo Download Python from https://www.python.org/downloads/ and run its installer
    echo ^(tick "Add python.exe to PATH" on its first screen^), then double-click
    echo "Install claimbook.cmd" again.
    goto :failed
)

echo Using Python: %PYTHON%
%PYTHON% "%~dp0installer\install.py" %*
if errorlevel 1 goto :failed
echo.
pause
exit /b 0

:failed
echo.
pause
exit /b 1
