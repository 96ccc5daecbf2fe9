<#
.SYNOPSIS
Restores deleted JumpCloud users: imports them, then sets again what an
import cannot carry, and reads back what JumpCloud holds.

.DESCRIPTION
Written by jcrestore. Run it in a PowerShell session connected with
Connect-JCOnline (JumpCloud module 3.0.0 or newer), first with -WhatIf to
see every step it would take, in words:

    .\restore.ps1 -WhatIf
    .\restore.ps1
    .\restore.ps1 -Check      # any day after: reads back, changes nothing

It refuses to run unless the module is new enough, the session is
connected (one read proves the API key works) to the organization the
users were deleted from. It imports the users that do not exist yet
(Import-JCUsersFromCSV, its rows are in this script), then for each user
sets the state and the account settings they had, binds their devices
with the rights they had, adds them to their groups by id and binds their
other direct associations; last, once every user exists, it sets the
managers. A step is done when JumpCloud did it: every call's answer is
read, and a call refused for too many requests or a server error is tried
again a few times.

It acts only on the accounts it imports (in this run, or in an earlier
run whose record names them by id). An account that already holds a
username gets no step unless -IncludeExisting is given and its email is
the user's. A user imported by an earlier run and deleted since is
imported again only with -Reimport.

Every step's outcome is appended to the record beside this script (one
JSON line each, written as it happens), so that nothing is lost when the
run stops; run again, it goes on where it stopped and does nothing it did
before. At the end it reads back every restored user as JumpCloud holds
them (the account, its direct associations, its groups) into the record:
jcrestore verify reads it.

The users are the data in $Data below: JSON, in base64, which this script
reads and never runs. Its code is the same for every export.
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    # Also make each restored user the manager again of the users whose
    # manager the deletion changed (Remove-JCUser -CascadeManager): off
    # unless asked, since the new manager may be meant.
    [switch] $RestoreReports,
    # Also restore onto an account that exists already with the user's
    # username and email (re-created by hand, by HR or by SCIM).
    [switch] $IncludeExisting,
    # Import again a user this script imported once and who was deleted
    # since; the new account then gets every step again.
    [switch] $Reimport,
    # Only read back what JumpCloud holds of the restored users, into the
    # record; change nothing.
    [switch] $Check
)

Set-StrictMode -Off
$ErrorActionPreference = 'Stop'

# The users to restore, and what to set for each: written by jcrestore.
$Data = '
eyJvcmdhbml6YXRpb24iOiI1YTFiMmMzZDRlNWY2MDcxODI5M2E0YjUiLCJyZXN1bHRzIjoicmVz
dG9yZS1yZXN1bHRzLmpzb24iLCJjb2x1bW5zIjpbIkZpcnN0TmFtZSIsIkxhc3ROYW1lIiwiVXNl
cm5hbWUiLCJQYXNzd29yZCIsIkVtYWlsIiwiYWx0ZXJuYXRlRW1haWwiLCJyZWNvdmVyeUVtYWls
IiwibWFuYWdlciIsIm1hbmFnZWRBcHBsZUlkIiwiTWlkZGxlTmFtZSIsInByZWZlcnJlZE5hbWUi
LCJqb2JUaXRsZSIsImVtcGxveWVlSWRlbnRpZmllciIsImRlcGFydG1lbnQiLCJjb3N0Q2VudGVy
IiwiY29tcGFueSIsImVtcGxveWVlVHlwZSIsImRlc2NyaXB0aW9uIiwibG9jYXRpb24iLCJob21l
X3N0cmVldEFkZHJlc3MiLCJob21lX3BvQm94IiwiaG9tZV9jaXR5IiwiaG9tZV9zdGF0ZSIsImhv
bWVfcG9zdGFsQ29kZSIsImhvbWVfY291bnRyeSIsIndvcmtfc3RyZWV0QWRkcmVzcyIsIndvcmtf
cG9Cb3giLCJ3b3JrX2NpdHkiLCJ3b3JrX3N0YXRlIiwid29ya19wb3N0YWxDb2RlIiwid29ya19j
b3VudHJ5IiwibW9iaWxlX251bWJlciIsImhvbWVfbnVtYmVyIiwid29ya19udW1iZXIiLCJ3b3Jr
X21vYmlsZV9udW1iZXIiLCJ3b3JrX2ZheF9udW1iZXIiLCJ1bml4X3VpZCIsInVuaXhfZ3VpZCIs
ImVuYWJsZV91c2VyX3BvcnRhbF9tdWx0aWZhY3RvciIsIkF0dHJpYnV0ZTFfbmFtZSIsIkF0dHJp
YnV0ZTFfdmFsdWUiLCJBdHRyaWJ1dGUyX25hbWUiLCJBdHRyaWJ1dGUyX3ZhbHVlIl0sInVzZXJz
IjpbeyJ1c2VybmFtZSI6ImRhbmEiLCJlbWFpbCI6ImRhbmFAZXhhbXBsZS5jb20iLCJyb3ciOlsi
RGFuYSIsIkR1bm4iLCJkYW5hIiwiIiwiZGFuYUBleGFtcGxlLmNvbSIsImRhbmEuYWx0QGV4YW1w
bGUub3JnIiwiZGFuYS5yZWNvdmVyeUBleGFtcGxlLm9yZyIsIiIsIiIsIlEiLCJEYW5hIEQuIiwi
U2VuaW9yIEVuZ2luZWVyIiwiRS0xMDAxIiwiUGxhdGZvcm0iLCJSXHUwMDI2RCIsIkV4YW1wbGUg
Q28iLCJmdWxsIHRpbWUiLCJvbiBjYWxsIiwiU3ByaW5nZmllbGQiLCIiLCIiLCIiLCIiLCIiLCIi
LCIxIE1haW4gU3QiLCIiLCJTcHJpbmdmaWVsZCIsIk1BIiwiMDExMDEiLCJVUyIsIisxIDU1NSAw
MTAxIiwiIiwiKzEgNTU1IDAxMDAiLCIiLCIiLCI1MTAxIiwiNTEwMSIsIlRydWUiLCJjb3N0Q29k
ZSIsIkNDLTciLCJiYWRnZSIsIkItMTAwMSJdLCJzdGVwcyI6W3sia2luZCI6ImZsYWciLCJ0YXJn
ZXQiOiJhbGxvd19wdWJsaWNfa2V5IiwidHlwZSI6IiIsIm5hbWUiOiIiLCJhZG1pbiI6ZmFsc2Us
Im5vUGFzc3dvcmQiOmZhbHNlLCJ3b3JkcyI6InNldCBhbGxvd19wdWJsaWNfa2V5In0seyJraW5k
IjoiYmluZCIsInRhcmdldCI6IjZhMDAwMDAwMDAwMDAwMDAwMDAwMDAwMSIsInR5cGUiOiJzeXN0
ZW0iLCJuYW1lIjoiREFOQS1NQlAiLCJhZG1pbiI6dHJ1ZSwibm9QYXNzd29yZCI6ZmFsc2UsIndv
cmRzIjoiYmluZCBkZXZpY2UgREFOQS1NQlAgKDZhMDAwMDAwMDAwMDAwMDAwMDAwMDAwMSkgYXMg
YWRtaW5pc3RyYXRvciwgd2l0aCBwYXNzd29yZCJ9LHsia2luZCI6Imdyb3VwIiwidGFyZ2V0Ijoi
NmIwMDAwMDAwMDAwMDAwMDAwMDAwMDAxIiwidHlwZSI6IiIsIm5hbWUiOiJFbmdpbmVlcmluZyIs
ImFkbWluIjpmYWxzZSwibm9QYXNzd29yZCI6ZmFsc2UsIndvcmRzIjoiYWRkIHRvIGdyb3VwIEVu
Z2luZWVyaW5nICg2YjAwMDAwMDAwMDAwMDAwMDAwMDAwMDEpIn0seyJraW5kIjoiZ3JvdXAiLCJ0
YXJnZXQiOiI2YjAwMDAwMDAwMDAwMDAwMDAwMDAwMDMiLCJ0eXBlIjoiIiwibmFtZSI6Ik9uIENh
bGwiLCJhZG1pbiI6ZmFsc2UsIm5vUGFzc3dvcmQiOmZhbHNlLCJ3b3JkcyI6ImFkZCB0byBncm91
cCBPbiBDYWxsICg2YjAwMDAwMDAwMDAwMDAwMDAwMDAwMDMpIn1dLCJtYW5hZ2VyIjoiNjYwMDAw
MDAwMDAwMDAwMDAwMDAwMDA0IiwicmVwb3J0cyI6W10sImJ5SGFuZCI6W10sInNvdXJjZSI6ImV2
ZW50cy5uZGpzb246NSJ9LHsidXNlcm5hbWUiOiJraW0iLCJlbWFpbCI6ImtpbUBleGFtcGxlLmNv
bSIsInJvdyI6WyJLaW0iLCJLYXVyIiwia2ltIiwiIiwia2ltQGV4YW1wbGUuY29tIiwiIiwiIiwi
IiwiIiwiIiwiIiwiIiwiIiwiIiwiIiwiIiwiIiwiIiwiIiwiIiwiIiwiIiwiIiwiIiwiIiwiIiwi
IiwiIiwiIiwiIiwiIiwiIiwiIiwiIiwiIiwiIiwiIiwiIiwiIiwiIiwiIiwiIiwiIl0sInN0ZXBz
IjpbXSwibWFuYWdlciI6IiIsInJlcG9ydHMiOltdLCJieUhhbmQiOltdLCJzb3VyY2UiOiJldmVu
dHMubmRqc29uOjYifV19
'

# How often a call is tried when JumpCloud answers 429 (too many
# requests) or a server error, and the first pause between tries, in
# seconds; each pause doubles the last.
$Tries = 5
$Pause = 5
# Users are restored in batches of this many: a stop loses at most the
# record of one batch's import, which a rerun finds again (Test-Imported).
$Batch = 50

$bytes = [System.Convert]::FromBase64String($Data)
$plan = [System.Text.Encoding]::UTF8.GetString($bytes) | ConvertFrom-Json
$sha = [System.Security.Cryptography.SHA256]::Create()
$planSha256 = -join ($sha.ComputeHash($bytes) | ForEach-Object { $_.ToString('x2') })
$users = @($plan.users)

# The account settings this script sets, by Set-JCUser's [bool]
# parameters: only these, whatever the data says.
$Flags = @('account_locked', 'sudo', 'passwordless_sudo', 'password_never_expires', 'ldap_binding_user', 'enable_managed_uid', 'allow_public_key')

if ([string]::IsNullOrEmpty($PSScriptRoot)) {
    throw 'Run this script from its file (.\restore.ps1), not pasted: it keeps its record beside itself'
}
$installed = Get-Module -ListAvailable -Name JumpCloud | Sort-Object -Property Version -Descending | Select-Object -First 1
$loaded = Get-Module -Name JumpCloud | Sort-Object -Property Version -Descending | Select-Object -First 1
if ($null -eq $installed -or $installed.Version -lt [version]'3.0.0') {
    throw 'This script needs the JumpCloud PowerShell module 3.0.0 or newer: older modules leave the SDK''s -ConsoleHost without a value, and its calls would stop at a prompt. Run Install-Module -Name JumpCloud -Scope CurrentUser (or Update-Module JumpCloud), open a new PowerShell window, then Connect-JCOnline'
}
if ($null -ne $loaded -and $loaded.Version -lt [version]'3.0.0') {
    throw ('This session has the JumpCloud module {0} loaded, and this script needs 3.0.0 or newer: open a new PowerShell window, then Connect-JCOnline' -f $loaded.Version)
}
Import-Module -Name JumpCloud -MinimumVersion 3.0.0
$module = (Get-Module -Name JumpCloud | Sort-Object -Property Version -Descending | Select-Object -First 1).Version
if ([string]::IsNullOrEmpty($env:JCApiKey) -or [string]::IsNullOrEmpty($global:JCAPIKEY) -or [string]::IsNullOrEmpty($env:JCOrgId)) {
    throw 'Not connected to JumpCloud in this session: run Connect-JCOnline first (with -JCEnvironment EU or IN for an organization outside the US region)'
}
if ($plan.organization -and ($env:JCOrgId -ne $plan.organization -or ($global:JCOrgId -and $global:JCOrgId -ne $plan.organization))) {
    throw ('This session is connected to the organization {0}, and these users were deleted from {1}: connect to that one (Set-JCOrganization) and run again' -f $env:JCOrgId, $plan.organization)
}
$consoleHost = $global:PSDefaultParameterValues['*-JcSdk*:ConsoleHost']
if ([string]::IsNullOrEmpty($consoleHost)) {
    throw 'The JumpCloud SDK has no -ConsoleHost for this session, and its calls would stop at a prompt: run Connect-JCOnline again (module 3.0.0 or newer)'
}
if ($global:JCUrlBasePath -and $global:JCUrlBasePath -ne ('https://{0}.jumpcloud.com' -f $consoleHost)) {
    throw ('This session calls the module at {0} and the SDK at {1}.jumpcloud.com: run Connect-JCOnline again, with -JCEnvironment EU or IN for an organization outside the US region' -f $global:JCUrlBasePath, $consoleHost)
}

# Get-StatusCode is the HTTP status of a failed call, or 0: the SDK keeps
# its own error records in the one it throws (TargetObject), each with the
# status; the module's web calls keep the response.
function Get-StatusCode {
    param($Failure)
    foreach ($e in @($Failure) + @($Failure.TargetObject)) {
        $ex = $e.Exception
        if ($null -ne $ex.StatusCode) {
            return [int]$ex.StatusCode
        }
        if ($null -ne $ex.Response.StatusCode) {
            return [int]$ex.Response.StatusCode
        }
    }
    if ("$($Failure.Exception.Message)" -match '\b(429|5\d\d)\b') {
        return [int]$Matches[1]
    }
    return 0
}

# Get-FailureText words a failed call: the status, and JumpCloud's answer
# where it gave one.
function Get-FailureText {
    param($Failure)
    $text = $Failure.Exception.Message
    if ($Failure.ErrorDetails -and $Failure.ErrorDetails.Message) {
        $text = $Failure.ErrorDetails.Message
    }
    $code = Get-StatusCode $Failure
    if ($code -ne 0 -and "$text" -notmatch ('\b{0}\b' -f $code)) {
        $text = '{0}: {1}' -f $code, $text
    }
    return ("$text" -replace '\s+', ' ').Trim()
}

# Invoke-JC runs one call of JumpCloud's and returns what it answered. A
# call refused with 429 or a server error is tried again after a pause,
# $Tries times in all; any other failure is thrown at once.
function Invoke-JC {
    param([scriptblock] $Call)
    for ($try = 1; ; $try++) {
        try {
            $answer = & $Call
            return $answer
        }
        catch {
            $code = Get-StatusCode $_
            if ($try -ge $Tries -or -not ($code -eq 429 -or $code -ge 500)) {
                throw
            }
            $script:retried++
            Start-Sleep -Seconds ($Pause * [math]::Pow(2, $try - 1))
        }
    }
}

# Find-Account is the account whose username is exactly this one, or
# $null. Get-JCUser matches the whole name without regard to case, but
# reads * as a pattern: every answer is checked.
function Find-Account {
    param([string] $Username)
    $found = @(Invoke-JC { Get-JCUser -username $Username }) | Where-Object { $_._id -and $_.username -eq $Username }
    return @($found)[0]
}

# The record: one JSON line for each run, step and read, appended as it
# happens and flushed at once, so that a stop loses nothing written.
$recordPath = Join-Path -Path $PSScriptRoot -ChildPath $plan.results
$runId = [guid]::NewGuid().ToString()
$record = $null
$imports = @{}     # the user's username in lower case -> the id of the account this script imported
$done = @{}        # 'id|step|target' -> $true, for the steps done by an earlier run
$intents = @{}     # username in lower case -> when a run began to import them
$planRecorded = $false
if (Test-Path -LiteralPath $recordPath) {
    $first = $true
    foreach ($line in [System.IO.File]::ReadLines($recordPath)) {
        if ($first) {
            $first = $false
            if (-not $line.StartsWith('{"tool":"jcrestore restore script"')) {
                throw ('{0} is not the record of a jcrestore restore script: move it away, then run again' -f $recordPath)
            }
        }
        if ($line.StartsWith('{"tool"')) {
            if ($line.Contains(('"planSha256":"{0}","data":"' -f $planSha256))) {
                $planRecorded = $true
            }
            continue
        }
        if (-not ($line.Contains('"outcome":"done"') -or $line.StartsWith('{"kind":"importing"'))) {
            continue
        }
        try {
            $entry = $line | ConvertFrom-Json
        }
        catch {
            continue # cut off by a stop while it was written
        }
        if ($entry.kind -eq 'importing') {
            foreach ($name in $entry.users) {
                $intents[([string]$name).ToLowerInvariant()] = $entry.at
            }
        }
        elseif ($entry.step -eq 'import' -or $entry.step -eq 'take') {
            $imports[([string]$entry.user).ToLowerInvariant()] = $entry.id
        }
        else {
            $done['{0}|{1}|{2}' -f $entry.id, $entry.step, $entry.target] = $true
        }
    }
}

$counts = @{ done = 0; failed = 0; skipped = 0; before = 0 }
$retried = 0

# Write-Record appends one line to the record.
function Write-Record {
    param($Entry)
    if ($null -ne $script:record) {
        $script:record.WriteLine(($Entry | ConvertTo-Json -Compress -Depth 12))
    }
}

# Add-Outcome records what became of one step of a user.
function Add-Outcome {
    param([string] $User, [string] $Id, [string] $Step, [string] $Target, [string] $Words, [string] $Outcome, [string] $Message)
    $script:counts[$Outcome]++
    Write-Record ([ordered]@{ kind = 'step'; run = $runId; at = (Get-Date).ToUniversalTime().ToString('o'); user = $User; id = $Id; step = $Step; target = $Target; words = $Words; outcome = $Outcome; message = $Message })
    if ($Outcome -eq 'failed') {
        Write-Warning ('{0}: {1}: {2}' -f $User, $Words, $Message)
    }
}

# Invoke-Step makes one change for a user, unless -WhatIf or a run before
# did it: $Action throws when JumpCloud did not make the change, and says
# what it found when the change was there already.
function Invoke-Step {
    param([string] $User, [string] $Id, [string] $Step, [string] $Target, [string] $Words, [scriptblock] $Action)
    if ($done.ContainsKey(('{0}|{1}|{2}' -f $Id, $Step, $Target))) {
        $script:counts.before++
        return
    }
    if (-not $PSCmdlet.ShouldProcess($User, $Words)) {
        return
    }
    try {
        $said = & $Action
        Add-Outcome -User $User -Id $Id -Step $Step -Target $Target -Words $Words -Outcome 'done' -Message ([string]$said)
    }
    catch {
        Add-Outcome -User $User -Id $Id -Step $Step -Target $Target -Words $Words -Outcome 'failed' -Message (Get-FailureText $_)
    }
}

# Set-Account changes one setting of an account and checks that
# JumpCloud's answer (the account as it is now) shows it.
function Set-Account {
    param([string] $Id, [string] $Name, $Value)
    $setting = @{ UserID = $Id }
    $setting[$Name] = $Value
    $answer = Invoke-JC { Set-JCUser @setting }
    $now = @($answer)[0]
    if ($null -eq $now -or $null -eq $now.PSObject.Properties[$Name]) {
        return 'JumpCloud''s answer does not show it: the read back at the end does'
    }
    if ("$($now.$Name)" -ne "$Value") {
        throw ('JumpCloud answered {0} = {1}' -f $Name, $now.$Name)
    }
}

# Get-Bindings are the user's direct associations of one type, as
# JumpCloud holds them (every page).
function Get-Bindings {
    param([string] $Id, [string] $Type)
    return @(Invoke-JC { Get-JcSdkUserAssociation -UserId $Id -Targets $Type })
}

# Get-Sudo is the sudo attribute of a binding: @(enabled, withoutPassword).
function Get-Sudo {
    param($Binding)
    $sudo = $Binding.Attributes.AdditionalProperties.sudo
    if ($null -eq $sudo) {
        $sudo = $Binding.Attributes.sudo
    }
    return @([bool]$sudo.enabled, [bool]$sudo.withoutPassword)
}

# Add-Binding binds what a step names to the user, with the rights it
# had (nothing but sudo, and only for an administrator). A binding there
# already counts as done once it is read back; with other rights, they
# are updated.
function Add-Binding {
    param([string] $Id, $Binding)
    $attributes = $null
    if ($Binding.admin) {
        $attributes = New-Object -TypeName 'System.Collections.Generic.Dictionary[System.String, System.Object]'
        $attributes.Add('sudo', @{ enabled = $true; withoutPassword = [bool]$Binding.noPassword })
    }
    try {
        if ($null -eq $attributes) {
            $ok = Invoke-JC { Set-JcSdkUserAssociation -UserId $Id -Id $Binding.target -Op 'add' -Type $Binding.type -PassThru -Confirm:$false }
        }
        else {
            $ok = Invoke-JC { Set-JcSdkUserAssociation -UserId $Id -Id $Binding.target -Op 'add' -Type $Binding.type -Attributes $attributes -PassThru -Confirm:$false }
        }
        if (-not (@($ok) -contains $true)) {
            throw 'JumpCloud did not confirm the binding'
        }
        return ''
    }
    catch {
        $failure = $_
    }
    $there = @(Get-Bindings -Id $Id -Type $Binding.type | Where-Object { $_.ToId -eq $Binding.target })
    if ($there.Count -eq 0) {
        throw $failure
    }
    $sudo = Get-Sudo $there[0]
    if ($sudo[0] -eq [bool]$Binding.admin -and $sudo[1] -eq ([bool]$Binding.admin -and [bool]$Binding.noPassword)) {
        return 'bound already, with these rights'
    }
    $rights = New-Object -TypeName 'System.Collections.Generic.Dictionary[System.String, System.Object]'
    $rights.Add('sudo', @{ enabled = [bool]$Binding.admin; withoutPassword = ([bool]$Binding.admin -and [bool]$Binding.noPassword) })
    $ok = Invoke-JC { Set-JcSdkUserAssociation -UserId $Id -Id $Binding.target -Op 'update' -Type $Binding.type -Attributes $rights -PassThru -Confirm:$false }
    if (-not (@($ok) -contains $true)) {
        throw 'JumpCloud did not confirm the new rights'
    }
    return 'bound already, with other rights: updated'
}

# Add-Member adds the user to a group by its id. A membership there
# already counts as done once it is read back.
function Add-Member {
    param([string] $Id, [string] $Group)
    try {
        $ok = Invoke-JC { Set-JcSdkUserGroupMember -GroupId $Group -Id $Id -Op 'add' -PassThru -Confirm:$false }
        if (-not (@($ok) -contains $true)) {
            throw 'JumpCloud did not confirm the membership'
        }
        return ''
    }
    catch {
        $failure = $_
    }
    $groups = @(Invoke-JC { Get-JcSdkUserMember -UserId $Id })
    if (@($groups | Where-Object { $_.Id -eq $Group }).Count -eq 0) {
        throw $failure
    }
    return 'a member already'
}

# Resolve-User decides which account the script restores a user onto:
# the one it imported (this run or one before, by the record), or with
# -IncludeExisting one that exists with the user's email. It returns the
# account's id, 'import' when the user is to be imported, or $null when
# the user gets no step (recorded, with why).
function Resolve-User {
    param($User, $Account)
    $key = $User.username.ToLowerInvariant()
    $mine = $imports[$key]
    if ($null -ne $Account) {
        if ($mine -eq $Account._id) {
            return $Account._id
        }
        $why = 'exists and was not restored by this script: -IncludeExisting takes it when its email is the user''s'
        if ($mine) {
            $why = 'held by another account ({0}) than the one this script restored ({1}), deleted since' -f $Account._id, $mine
        }
        elseif (Test-Imported -User $User -Account $Account) {
            Add-Outcome -User $User.username -Id $Account._id -Step 'import' -Target $User.username -Words 'import' -Outcome 'done' -Message 'imported by a run that stopped before recording it: created since then, with this email'
            $imports[$key] = $Account._id
            return $Account._id
        }
        elseif ($IncludeExisting -and $Account.email -eq $User.email) {
            Add-Outcome -User $User.username -Id $Account._id -Step 'take' -Target $User.username -Words 'take the existing account (-IncludeExisting)' -Outcome 'done' -Message ''
            $imports[$key] = $Account._id
            return $Account._id
        }
        elseif ($IncludeExisting) {
            $why = 'exists with another email ({0}): not the user this script restores' -f $Account.email
        }
        if (-not $WhatIfPreference) {
            Add-Outcome -User $User.username -Id $Account._id -Step 'user' -Target $User.username -Words 'no step' -Outcome 'skipped' -Message $why
        }
        Write-Host ('{0}: no step: {1}' -f $User.username, $why)
        return $null
    }
    if ($mine -and -not $Reimport) {
        $why = 'imported by an earlier run as {0}, and deleted since: -Reimport imports the user again' -f $mine
        if (-not $WhatIfPreference) {
            Add-Outcome -User $User.username -Id $mine -Step 'user' -Target $User.username -Words 'no step' -Outcome 'skipped' -Message $why
        }
        Write-Host ('{0}: no step: {1}' -f $User.username, $why)
        return $null
    }
    return 'import'
}

# Test-Imported reports whether an account is one a stopped run of this
# script imported without recording it: a run began to import the user,
# and the account was created since, with the user's email.
function Test-Imported {
    param($User, $Account)
    $began = $intents[$User.username.ToLowerInvariant()]
    if (-not $began -or -not $Account.created -or $Account.email -ne $User.email) {
        return $false
    }
    # this computer's clock and JumpCloud's may differ a little
    return (ConvertTo-Utc $Account.created) -ge (ConvertTo-Utc $began).AddMinutes(-2)
}

# ConvertTo-Utc is a time as UTC: PowerShell 7 reads the times of JSON
# as dates, Windows PowerShell 5.1 leaves them text.
function ConvertTo-Utc {
    param($Time)
    if ($Time -is [datetime]) {
        return $Time.ToUniversalTime()
    }
    return ([System.DateTimeOffset]::Parse([string]$Time, [System.Globalization.CultureInfo]::InvariantCulture)).UtcDateTime
}

# Import-Users imports users with Import-JCUsersFromCSV, from their rows
# in the data, and returns the id of each user it created, by username in
# lower case. Each row's outcome is recorded as the importer reports it.
function Import-Users {
    param($Importing)
    $created = @{}
    $names = @($Importing | ForEach-Object { $_.username })
    if (-not $PSCmdlet.ShouldProcess(($names -join ', '), 'import (Import-JCUsersFromCSV)')) {
        return $created
    }
    $began = (Get-Date).ToUniversalTime().ToString('o')
    foreach ($name in $names) {
        $intents[$name.ToLowerInvariant()] = $began
    }
    Write-Record ([ordered]@{ kind = 'importing'; run = $runId; at = $began; users = $names })
    $part = Join-Path -Path $PSScriptRoot -ChildPath ('.jcrestore-import-{0}.csv' -f [guid]::NewGuid())
    $rows = foreach ($user in $Importing) {
        $row = [ordered]@{}
        for ($i = 0; $i -lt $plan.columns.Count; $i++) {
            $row[$plan.columns[$i]] = [string]$user.row[$i]
        }
        [pscustomobject]$row
    }
    $answer = @()
    $refused = 'the importer reported nothing for this user'
    try {
        $rows | Export-Csv -LiteralPath $part -NoTypeInformation -Encoding UTF8 -Confirm:$false
        # Import-JCUsersFromCSV reads its path as a wildcard pattern: a
        # folder such as "restore [2]" is taken literally.
        $answer = @(Import-JCUsersFromCSV -CSVFilePath ([System.Management.Automation.WildcardPattern]::Escape($part)) -force)
    }
    catch {
        $refused = 'the importer stopped: {0}' -f (Get-FailureText $_)
    }
    finally {
        try {
            Remove-Item -LiteralPath $part -Force -Confirm:$false
        }
        catch {
            Write-Warning ('{0} holds the rows of this batch and could not be removed: delete it' -f $part)
        }
    }
    $byName = @{}
    foreach ($row in $answer) {
        $byName[([string]$row.Username).ToLowerInvariant()] = $row
    }
    foreach ($user in $Importing) {
        $key = $user.username.ToLowerInvariant()
        $row = $byName[$key]
        if ($null -ne $row -and $row.Status -eq 'User Created' -and $row.UserID) {
            $created[$key] = $row.UserID
            Add-Outcome -User $user.username -Id $row.UserID -Step 'import' -Target $user.username -Words 'import' -Outcome 'done' -Message ''
            foreach ($added in @($row.GroupsAdd)) {
                if ($null -eq $added) {
                    continue
                }
                $outcome = 'done'
                if ($added.Status -ne 'Added') {
                    $outcome = 'failed'
                }
                Add-Outcome -User $user.username -Id $row.UserID -Step 'group by name' -Target $added.Group -Words ('add to group {0} (by name)' -f $added.Group) -Outcome $outcome -Message ([string]$added.Status)
            }
            continue
        }
        # A row refused after a server error, or before the importer
        # stopped, may have been created: found with its email, created
        # since this import began, it is this run's.
        $found = $null
        try {
            $found = Find-Account $user.username
        }
        catch {
            $refused += '; and the account could not be looked for: {0}' -f (Get-FailureText $_)
        }
        if ($null -ne $found -and (Test-Imported -User $user -Account $found)) {
            $created[$key] = $found._id
            Add-Outcome -User $user.username -Id $found._id -Step 'import' -Target $user.username -Words 'import' -Outcome 'done' -Message 'created, though the importer did not report it'
            continue
        }
        $why = $refused
        if ($null -ne $row) {
            $why = ((@($row.Status, $row.AdditionalInfo) | Where-Object { $_ }) -join ': ')
        }
        Add-Outcome -User $user.username -Id '' -Step 'import' -Target $user.username -Words 'import' -Outcome 'failed' -Message $why
    }
    return $created
}

# Restore-After makes for one user what the import cannot carry, step by
# step, in the data's order. (The blocks given to Invoke-Step and
# Invoke-JC read the variables of whoever runs them: they use none of
# those functions' own names but $Id, which is the same id there.)
function Restore-After {
    param($User, [string] $Id)
    $now = $null
    if ($Id -ne 'the new account') {
        $now = Invoke-JC { Get-JCUser -userid $Id }
    }
    foreach ($change in @($User.steps)) {
        if ($change.kind -eq 'suspend') {
            if ($null -eq $now -or $now.state -ne 'SUSPENDED') {
                Invoke-Step -User $User.username -Id $Id -Step 'suspend' -Target 'state' -Words $change.words -Action { Set-Account -Id $Id -Name 'state' -Value 'SUSPENDED' }
            }
        }
        elseif ($change.kind -eq 'flag') {
            if ($Flags -contains $change.target -and ($null -eq $now -or $now.($change.target) -ne $true)) {
                Invoke-Step -User $User.username -Id $Id -Step 'flag' -Target $change.target -Words $change.words -Action { Set-Account -Id $Id -Name $change.target -Value $true }
            }
        }
        elseif ($change.kind -eq 'bind') {
            Invoke-Step -User $User.username -Id $Id -Step 'bind' -Target $change.target -Words $change.words -Action { Add-Binding -Id $Id -Binding $change }
        }
        elseif ($change.kind -eq 'group') {
            Invoke-Step -User $User.username -Id $Id -Step 'group' -Target $change.target -Words $change.words -Action { Add-Member -Id $Id -Group $change.target }
        }
    }
}

# Read-Back writes into the record what JumpCloud holds of a restored
# user: the account, its direct associations of each type the plan binds,
# and the groups it is a member of; a read that fails is recorded as
# failed, never as an empty list. It returns the account, or $null.
function Read-Back {
    param($User, [string] $Id)
    $account = Write-Read -User $User.username -Id $Id -What 'account' -Type '' -Call { Invoke-JC { Get-JCUser -userid $Id } }
    $types = @(@('system') + @($User.steps | Where-Object { $_.kind -eq 'bind' } | ForEach-Object { $_.type }) | Select-Object -Unique)
    foreach ($type in $types) {
        $null = Write-Read -User $User.username -Id $Id -What 'associations' -Type $type -Call { @(Get-Bindings -Id $Id -Type $Type | ForEach-Object { Get-Wire $_ }) }
    }
    $null = Write-Read -User $User.username -Id $Id -What 'groups' -Type '' -Call { @(Invoke-JC { Get-JcSdkUserMember -UserId $Id } | ForEach-Object { Get-Wire $_ }) }
    return $account
}

# Write-Read records one read of what JumpCloud holds, or its failure,
# and returns what was read.
function Write-Read {
    param([string] $User, [string] $Id, [string] $What, [string] $Type, [scriptblock] $Call)
    $entry = [ordered]@{ kind = 'read'; run = $runId; at = ''; user = $User; id = $Id; what = $What; type = $Type; ok = $true; value = $null; error = '' }
    try {
        $value = & $Call
        if ($What -eq 'account' -or $What -eq 'manager') {
            if ($null -eq $value) {
                throw 'JumpCloud returned no account'
            }
            $entry.value = $value
        }
        else {
            $entry.value = @($value)
        }
    }
    catch {
        $entry.ok = $false
        $entry.error = Get-FailureText $_
        $script:counts.failed++
        Write-Warning ('{0}: read back {1} {2}: {3}' -f $User, $What, $Type, $entry.error)
    }
    $entry.at = (Get-Date).ToUniversalTime().ToString('o')
    Write-Record $entry
    return $entry.value
}

# Get-Wire is an SDK object as JumpCloud sent it: ConvertTo-Json of the
# object itself would drop its attributes (sudo among them).
function Get-Wire {
    param($Object)
    if ($Object.PSObject.Methods['ToJsonString']) {
        return ($Object.ToJsonString() | ConvertFrom-Json)
    }
    return $Object
}

$mode = 'restore'
if ($Check) {
    $mode = 'check'
}
elseif ($WhatIfPreference) {
    $mode = 'whatif'
}
$finished = $false
if ($users.Count -eq 0) {
    Write-Host 'This script restores no user.'
    return
}
try {
    # One read proves the key works in this organization before anything
    # changes.
    try {
        $null = Invoke-JC { Get-JCUser -username $users[0].username }
    }
    catch {
        throw ('JumpCloud refused this session''s API key for the organization {0} ({1}): run Connect-JCOnline again; for an organization outside the US region, Connect-JCOnline -JCEnvironment EU (or IN)' -f $env:JCOrgId, (Get-FailureText $_))
    }
    if (-not $WhatIfPreference) {
        $record = New-Object -TypeName System.IO.StreamWriter -ArgumentList $recordPath, $true, (New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false)
        $record.AutoFlush = $true
        $data = $null
        if (-not $planRecorded) {
            $data = $Data -replace '\s', ''
        }
        Write-Record ([ordered]@{ tool = 'jcrestore restore script'; kind = 'run'; run = $runId; at = (Get-Date).ToUniversalTime().ToString('o'); mode = $mode; organization = $env:JCOrgId; module = [string]$module; planSha256 = $planSha256; data = $data })
    }
    $ids = @{}
    for ($start = 0; $start -lt $users.Count; $start += $Batch) {
        $part = @($users[$start..([math]::Min($start + $Batch, $users.Count) - 1)])
        Write-Progress -Activity 'Restoring users' -Status ('{0} of {1} users' -f $start, $users.Count) -PercentComplete ([int](100 * $start / $users.Count))
        $new = New-Object -TypeName System.Collections.ArrayList
        foreach ($user in $part) {
            $key = $user.username.ToLowerInvariant()
            try {
                if ($Check) {
                    $ids[$key] = $imports[$key]
                    continue
                }
                $outcome = Resolve-User -User $user -Account (Find-Account $user.username)
                if ($outcome -eq 'import') {
                    [void]$new.Add($user)
                }
                elseif ($null -ne $outcome) {
                    $ids[$key] = $outcome
                }
            }
            catch {
                Add-Outcome -User $user.username -Id '' -Step 'user' -Target $user.username -Words 'find the account' -Outcome 'failed' -Message (Get-FailureText $_)
            }
        }
        if ($new.Count -gt 0) {
            $created = Import-Users -Importing $new
            foreach ($user in $new) {
                $key = $user.username.ToLowerInvariant()
                if ($created.ContainsKey($key)) {
                    $ids[$key] = $created[$key]
                    $imports[$key] = $created[$key]
                }
                elseif ($WhatIfPreference) {
                    $ids[$key] = 'the new account'
                }
            }
        }
        if ($Check) {
            continue
        }
        foreach ($user in $part) {
            $id = $ids[$user.username.ToLowerInvariant()]
            if (-not $id) {
                continue
            }
            try {
                Restore-After -User $user -Id $id
            }
            catch {
                Add-Outcome -User $user.username -Id $id -Step 'user' -Target $user.username -Words 'restore what the import cannot carry' -Outcome 'failed' -Message (Get-FailureText $_)
            }
        }
    }

    if (-not $Check) {
        # The managers, now that every user exists: a restored one by the
        # account this script made, anyone else by their exact username.
        foreach ($user in $users) {
            $id = $ids[$user.username.ToLowerInvariant()]
            if (-not $user.manager -or -not $id) {
                continue
            }
            try {
                $managerId = $ids[$user.manager.ToLowerInvariant()]
                if (-not $managerId) {
                    $managerId = (Find-Account $user.manager)._id
                }
                if (-not $managerId) {
                    Add-Outcome -User $user.username -Id $id -Step 'manager' -Target $user.manager -Words ('set the manager: {0}' -f $user.manager) -Outcome 'failed' -Message 'no account has this username'
                    continue
                }
                if ($id -ne 'the new account' -and (Invoke-JC { Get-JCUser -userid $id }).manager -eq $managerId) {
                    continue
                }
                Invoke-Step -User $user.username -Id $id -Step 'manager' -Target $user.manager -Words ('set the manager: {0}' -f $user.manager) -Action { Set-Account -Id $id -Name 'manager' -Value $managerId }
            }
            catch {
                Add-Outcome -User $user.username -Id $id -Step 'manager' -Target $user.manager -Words ('set the manager: {0}' -f $user.manager) -Outcome 'failed' -Message (Get-FailureText $_)
            }
        }
        # The reports whose manager the deletion changed, when asked.
        foreach ($user in $users) {
            $id = $ids[$user.username.ToLowerInvariant()]
            if (-not $RestoreReports -or -not $id) {
                continue
            }
            $restored = $id
            foreach ($name in @($user.reports)) {
                $words = 'make {0} the manager of {1} again' -f $user.username, $name
                try {
                    $report = Find-Account $name
                    if ($null -eq $report) {
                        Add-Outcome -User $name -Id '' -Step 'report' -Target $user.username -Words $words -Outcome 'failed' -Message 'no account has this username'
                    }
                    elseif ($report.manager -ne $restored) {
                        Invoke-Step -User $name -Id $report._id -Step 'report' -Target $user.username -Words $words -Action { Set-Account -Id $Id -Name 'manager' -Value $restored }
                    }
                }
                catch {
                    Add-Outcome -User $name -Id '' -Step 'report' -Target $user.username -Words $words -Outcome 'failed' -Message (Get-FailureText $_)
                }
            }
        }
    }

    # What JumpCloud holds now of every restored user, and the accounts of
    # their managers (verify names a manager by username), for jcrestore
    # verify.
    if (-not $WhatIfPreference) {
        $managers = @{}
        for ($i = 0; $i -lt $users.Count; $i++) {
            Write-Progress -Activity 'Reading back what JumpCloud holds' -Status ('{0} of {1} users' -f $i, $users.Count) -PercentComplete ([int](100 * $i / $users.Count))
            $user = $users[$i]
            $id = $ids[$user.username.ToLowerInvariant()]
            if ($id) {
                $account = Read-Back -User $user -Id $id
                if ($account.manager) {
                    $managers[[string]$account.manager] = $true
                }
            }
        }
        foreach ($id in @($ids.Values)) {
            $managers.Remove([string]$id)
        }
        foreach ($id in @($managers.Keys)) {
            $null = Write-Read -User '' -Id $id -What 'manager' -Type '' -Call { Invoke-JC { Get-JCUser -userid $Id } }
        }
    }
    $finished = $true
}
finally {
    Write-Progress -Activity 'Restoring users' -Completed
    if ($null -ne $record) {
        Write-Record ([ordered]@{ kind = 'end'; run = $runId; at = (Get-Date).ToUniversalTime().ToString('o'); stopped = (-not $finished); done = $counts.done; failed = $counts.failed; skipped = $counts.skipped; doneBefore = $counts.before; retried = $retried })
        $record.Dispose()
        $how = 'finished'
        if (-not $finished) {
            $how = 'stopped; run it again to go on'
        }
        Write-Host ('{0}: {1} steps done, {2} failed, {3} skipped, {4} done before; {5} calls tried again. The record is {6}: jcrestore verify {7}' -f $how, $counts.done, $counts.failed, $counts.skipped, $counts.before, $retried, $recordPath, $plan.results)
    }
}
