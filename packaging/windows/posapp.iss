; Inno Setup recipe for the Windows installer of posapp (not built by CI: Windows only).
; First build the bundle on Windows:  pyinstaller --noconfirm --clean packaging\posapp.spec
; then:  iscc /DVersion=0.1.0 packaging\windows\posapp.iss   ->  dist\posapp-0.1.0-setup.exe
; The installer holds no settings and no secrets: after installing, an administrator runs
;   "C:\Program Files\posapp\posapp.exe" setup --system --workstation-id till-01 ...
; which writes %PROGRAMDATA%\posapp\posapp.toml and keeps the database password in the
; Windows Credential Manager (the keyring).

#ifndef Version
  #define Version "0.0.0"
#endif

[Setup]
AppId={{6F1B7C2E-3D1A-4E4B-9D55-2B7C0B9E1A11}
AppName=posapp
AppVersion={#Version}
AppPublisher=posapp
DefaultDirName={autopf}\posapp
DefaultGroupName=posapp
OutputDir=..\..\dist
OutputBaseFilename=posapp-{#Version}-setup
Compression=lzma2/max
SolidCompression=yes
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequired=admin

[Files]
Source: "..\..\dist\posapp\*"; DestDir: "{app}"; Flags: recursesubdirs createallsubdirs ignoreversion

[Icons]
Name: "{group}\posapp"; Filename: "{app}\posapp.exe"
Name: "{autodesktop}\posapp"; Filename: "{app}\posapp.exe"

